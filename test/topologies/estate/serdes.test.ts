import { describe, expect, it } from 'vitest';
import type { Order } from '../../../topologies/estate/events.ts';
import { estateSerdes, orderV1Serde } from '../../../topologies/estate/serdes.ts';

const order: Order = {
  id: 'o-1',
  customerId: 'c-1',
  product: 'UNDERPANTS',
  quantity: 3,
  price: 5.5,
  state: 'REQUESTED',
  reason: null,
  requestedAt: 1_700_000_000_000,
  channel: 'mobile',
};

describe('estate serdes', () => {
  it('round-trips an order with the current schema', () => {
    const bytes = estateSerdes.order.serialize('orders', order);
    expect(estateSerdes.order.deserialize('orders', bytes)).toEqual(order);
  });

  it('reads an order written with schema version 1, filling the added field with its default', () => {
    const { channel: _channel, ...v1 } = order;
    const bytes = orderV1Serde.serialize('orders', v1);
    expect(estateSerdes.order.deserialize('orders', bytes)).toEqual({ ...order, channel: 'web' });
  });

  it('refuses a value that does not match the schema, naming the fix', () => {
    expect(() => estateSerdes.order.serialize('orders', { ...order, state: 'LOST' as Order['state'] })).toThrow(
      /does not match the schema/,
    );
  });
});
