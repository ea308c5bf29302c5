import { KStreamsError } from '../../errors.ts';
import type { Serde } from '../../serdes/serde.ts';
import type { Windowed } from '../../serdes/windowed.ts';
import type { KeyValueStore } from '../../state/key-value-store.ts';
import type { StoreBuilder } from '../../state/state-store.ts';
import type { StoreContext } from '../../state/store-context.ts';
import { Stores } from '../../state/stores.ts';
import { type BufferedChange, bufferedChangeSerde } from '../operators/buffered-change.ts';
import type { WindowedTableInfo } from './windowed-table-info.ts';

/**
 * The store behind a suppression buffer: in memory, uncached, logged unless turned off (restored in full
 * from `<application.id>-<name>-changelog` after a restart), as Kafka Streams keeps its buffers. Its
 * serdes wrap the table's, which may be the application's defaults: they are resolved when a task builds
 * the store.
 */
export class SuppressionBufferStoreBuilder<K, V>
  implements StoreBuilder<KeyValueStore<Windowed<K>, BufferedChange<V>>>
{
  readonly name: string;
  readonly loggingEnabled: boolean;
  readonly loggingConfigs: Readonly<Record<string, string>> = {};
  readonly persistent = false;
  readonly cachingEnabled = false;
  readonly #keySerde: Serde<Windowed<K>> | undefined;
  readonly #valueSerde: Serde<V> | undefined;
  readonly #window: WindowedTableInfo;

  constructor(
    name: string,
    logging: boolean,
    window: WindowedTableInfo,
    keySerde: Serde<Windowed<K>> | undefined,
    valueSerde: Serde<V> | undefined,
  ) {
    this.name = name;
    this.loggingEnabled = logging;
    this.#window = window;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
  }

  build(context?: StoreContext): KeyValueStore<Windowed<K>, BufferedChange<V>> {
    const keySerde = this.#keySerde ?? this.#fromDefault(context?.defaultKeySerde, 'key');
    const valueSerde = this.#valueSerde ?? (this.#required(context?.defaultValueSerde, 'value') as Serde<V>);
    const builder = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore(this.name),
      keySerde,
      bufferedChangeSerde(valueSerde),
    ).withCachingDisabled();
    return (this.loggingEnabled ? builder.withLoggingEnabled({}) : builder.withLoggingDisabled()).build(context);
  }

  #fromDefault(inner: Serde<unknown> | undefined, what: string): Serde<Windowed<K>> {
    return this.#window.windowedSerde(this.#required(inner, what)) as Serde<Windowed<K>>;
  }

  #required(serde: Serde<unknown> | undefined, what: string): Serde<unknown> {
    if (serde !== undefined) return serde;
    throw new KStreamsError('CONFIG_INVALID', `The suppression buffer "${this.name}" has no ${what} serde.`, {
      hint: `Give the windowed aggregation a ${what} serde (Materialized), or configure a default ${what} serde.`,
    });
  }
}
