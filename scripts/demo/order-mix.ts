import type { Customer } from '../../topologies/estate/events.ts';
import { catalogue, type Product, stockedProducts } from './estate-catalogue.ts';

/** What an order is designed to do: pass every check and be paid, or fail one particular step. */
export const orderKinds = [
  'normal',
  'unknown-product',
  'bad-quantity',
  'big-spender',
  'no-stock',
  'wrong-payment',
] as const;
export type OrderKind = (typeof orderKinds)[number];

export interface PlannedOrder {
  readonly kind: OrderKind;
  readonly body: {
    readonly customerId: string;
    readonly product: string;
    readonly quantity: number;
    readonly price: number;
  };
  /** What the matching payment pays. */
  readonly paymentAmount: number;
}

/** One order in twenty of each failing kind, spread out so every stretch of the run shows all of them. */
const failingSlots: Readonly<Record<number, OrderKind>> = {
  3: 'unknown-product',
  7: 'bad-quantity',
  11: 'big-spender',
  15: 'no-stock',
  18: 'wrong-payment',
};

/** Stays below the fraud service's default limit (2000 per customer session) with room to spare. */
const customerBudget = 1500;
const customerCount = 40;

/**
 * Plans the demo's orders. Normal customers are retired before their session total nears the fraud limit
 * (sessions last an hour), so only the big spender trips the fraud check; ids carry the run's token so a
 * restarted demo does not inherit the sessions of the last one.
 */
export class OrderMix {
  readonly #runToken: string;
  readonly #random: () => number;
  readonly #spent = new Map<string, number>();
  #next = 0;
  #nextCustomer = 0;
  readonly #newCustomers: Customer[] = [];

  constructor(runToken: string, random: () => number = Math.random) {
    this.#runToken = runToken;
    this.#random = random;
    for (let i = 0; i < customerCount; i++) this.#addCustomer();
  }

  /** The customers created since the last call (to publish to the customers topic). */
  takeNewCustomers(): Customer[] {
    return this.#newCustomers.splice(0);
  }

  bigSpender(): Customer {
    return customer(`big-spender-${this.#runToken}`, 'Big Spender');
  }

  next(): PlannedOrder {
    const slot = this.#next++ % 20;
    const kind = failingSlots[slot] ?? 'normal';
    switch (kind) {
      case 'unknown-product':
        return this.#plan(kind, this.#customerFor(10), 'SANDALS', 1, 10);
      case 'bad-quantity':
        return this.#plan(kind, this.#customerFor(10), 'UNDERPANTS', 101, 0.05);
      case 'big-spender':
        return this.#plan(kind, this.bigSpender().id, 'STOCKINGS', 50, 60);
      case 'no-stock':
        return this.#plan(kind, this.#customerFor(10), 'SOCKS', 1, catalogue.SOCKS.price);
      default: {
        const product = stockedProducts[Math.floor(this.#random() * stockedProducts.length)] as Product;
        const quantity = 1 + Math.floor(this.#random() * 3);
        const price = catalogue[product].price;
        return this.#plan(kind, this.#customerFor(quantity * price), product, quantity, price);
      }
    }
  }

  #plan(kind: OrderKind, customerId: string, product: string, quantity: number, price: number): PlannedOrder {
    const due = Math.round(quantity * price * 100) / 100;
    // A wrong payment is short by a whole unit: well outside the payments service's tolerance.
    const paymentAmount = kind === 'wrong-payment' ? Math.max(0.01, due - price) : due;
    return { kind, body: { customerId, product, quantity, price }, paymentAmount };
  }

  #customerFor(value: number): string {
    const ids = [...this.#spent.keys()];
    const id = ids[Math.floor(this.#random() * ids.length)] as string;
    const spent = (this.#spent.get(id) ?? 0) + value;
    if (spent <= customerBudget) {
      this.#spent.set(id, spent);
      return id;
    }
    this.#spent.delete(id);
    const fresh = this.#addCustomer();
    this.#spent.set(fresh, value);
    return fresh;
  }

  #addCustomer(): string {
    const n = this.#nextCustomer++;
    const id = `customer-${this.#runToken}-${n}`;
    this.#spent.set(id, 0);
    this.#newCustomers.push(customer(id, `Customer ${n}`));
    return id;
  }
}

function customer(id: string, name: string): Customer {
  return { id, name, email: `${id}@example.com`, level: 'standard' };
}
