/** The estate's events, as the Avro schemas in ./schemas describe them (enums are string unions). */

export const orderStates = ['REQUESTED', 'VALIDATED', 'CONFIRMED', 'REJECTED', 'SHIPPED'] as const;
export type OrderState = (typeof orderStates)[number];

/** States an order never leaves (SHIPPED follows CONFIRMED only). */
export const terminalStates: readonly OrderState[] = ['CONFIRMED', 'REJECTED', 'SHIPPED'];

export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly product: string;
  readonly quantity: number;
  /** Unit price. */
  readonly price: number;
  readonly state: OrderState;
  readonly reason: string | null;
  readonly requestedAt: number;
  /** Added in schema version 2 (default "web"). */
  readonly channel: string;
}

export const checkTypes = ['INVENTORY', 'FRAUD', 'ORDER_DETAILS'] as const;
export type CheckType = (typeof checkTypes)[number];

export interface OrderValidation {
  readonly orderId: string;
  readonly checkType: CheckType;
  readonly result: 'PASS' | 'FAIL';
  readonly reason: string | null;
}

export interface Stock {
  readonly product: string;
  readonly quantity: number;
}

export interface Payment {
  readonly id: string;
  readonly orderId: string;
  readonly amount: number;
  readonly ccy: string;
}

export interface PaymentResult {
  readonly orderId: string;
  readonly paymentId: string | null;
  readonly status: 'PROCESSED' | 'FAILED';
  readonly reason: string | null;
}

export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly level: string;
}

export interface Shipment {
  readonly orderId: string;
  readonly shippedAt: number;
}

export interface Notification {
  readonly orderId: string;
  readonly customerId: string;
  readonly email: string | null;
  readonly message: string;
}

export interface PriceChange {
  readonly product: string;
  readonly price: number;
  readonly reason: string;
}
