import type { GlobalKTable } from '../types.ts';

/** A global table handle: only its store name, which joins and interactive queries will use. */
export class GlobalKTableImpl<K, V> implements GlobalKTable<K, V> {
  declare readonly keyType?: K;
  declare readonly valueType?: V;
  readonly #storeName: string;

  constructor(storeName: string) {
    this.#storeName = storeName;
  }

  queryableStoreName(): string {
    return this.#storeName;
  }
}
