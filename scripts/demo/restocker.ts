import type { Stock } from '../../topologies/estate/events.ts';
import { catalogue, type Product, stockedProducts } from './estate-catalogue.ts';
import type { EstateWriter } from './estate-writer.ts';

/**
 * The warehouse: nothing ships in the demo, so confirmed orders hold their stock for good. When what is
 * left of a product (level minus reservations, read from the stock service's stores) falls below half
 * its starting stock, it restocks to reservations plus the starting stock. Socks are never restocked.
 */
export class Restocker {
  readonly #stockUrl: string;
  readonly #writer: Pick<EstateWriter, 'stockLevels'>;

  constructor(stockUrl: string, writer: Pick<EstateWriter, 'stockLevels'>) {
    this.#stockUrl = stockUrl;
    this.#writer = writer;
  }

  /** One look at every stocked product; returns the levels written. */
  async restock(): Promise<Stock[]> {
    const levels: Stock[] = [];
    for (const product of stockedProducts) {
      const level = await this.#read<Stock>('stock', product);
      const reservations = await this.#read<{ reserved: number }>('reservations', product);
      if (level === 'unavailable' || reservations === 'unavailable') continue;
      const reserved = reservations?.reserved ?? 0;
      const available = (level?.quantity ?? 0) - reserved;
      const start = catalogue[product as Product].stock;
      if (available < start / 2) levels.push({ product, quantity: reserved + start });
    }
    if (levels.length > 0) await this.#writer.stockLevels(levels);
    return levels;
  }

  /** The stored value, null when the key is absent, 'unavailable' when the store cannot answer now. */
  async #read<T>(store: string, key: string): Promise<T | null | 'unavailable'> {
    try {
      const answer = await fetch(`${this.#stockUrl}/stores/${store}/keys/${encodeURIComponent(key)}`, {
        signal: AbortSignal.timeout(5000),
      });
      if (answer.status === 404) return null;
      if (answer.status !== 200) return 'unavailable';
      return ((await answer.json()) as { value: T }).value;
    } catch {
      return 'unavailable';
    }
  }
}
