import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EstateWriter } from '../../../scripts/demo/estate-writer.ts';
import { Restocker } from '../../../scripts/demo/restocker.ts';
import type { Stock } from '../../../topologies/estate/events.ts';

/** A stand-in for the stock service's store routes. */
function stockService(stores: Record<string, Record<string, unknown>>): Promise<Server> {
  const server = createServer((request, response) => {
    const match = /^\/stores\/([^/]+)\/keys\/([^/?]+)$/.exec(request.url ?? '');
    const value = match === null ? undefined : stores[match[1] as string]?.[decodeURIComponent(match[2] as string)];
    response.writeHead(value === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value === undefined ? { error: 'NOT_FOUND' } : { key: match?.[2], value }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function recordingWriter(written: Stock[][]): Pick<EstateWriter, 'stockLevels'> {
  return {
    stockLevels: async (levels: readonly Stock[]) => {
      written.push([...levels]);
    },
  };
}

describe('Restocker', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('tops up a product whose unreserved stock fell below half its start, and only that one', async () => {
    server = await stockService({
      stock: {
        UNDERPANTS: { product: 'UNDERPANTS', quantity: 1000 },
        JUMPERS: { product: 'JUMPERS', quantity: 300 },
        STOCKINGS: { product: 'STOCKINGS', quantity: 500 },
      },
      // JUMPERS: 300 - 200 = 100 left, below 150; the others have plenty.
      reservations: { JUMPERS: { reserved: 200, orders: {} }, UNDERPANTS: { reserved: 10, orders: {} } },
    });
    const written: Stock[][] = [];
    const restocker = new Restocker(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      recordingWriter(written),
    );
    expect(await restocker.restock()).toEqual([{ product: 'JUMPERS', quantity: 500 }]);
    expect(written).toEqual([[{ product: 'JUMPERS', quantity: 500 }]]);
  });

  it('writes nothing when the stock service cannot answer', async () => {
    const written: Stock[][] = [];
    const restocker = new Restocker('http://127.0.0.1:9', recordingWriter(written));
    expect(await restocker.restock()).toEqual([]);
    expect(written).toEqual([]);
  });
});
