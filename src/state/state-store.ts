/**
 * The minimal contract every state store meets, whatever its kind (key-value, window, session) and
 * backend (LMDB, memory). The store kinds and their layers arrive with the state-store work; processors
 * only need to find a store by name and the runtime to flush and close it.
 */
export interface StateStore {
  readonly name: string;
  /** True when the store keeps its data on disk (survives a restart without a full restore). */
  readonly persistent: boolean;
  /** Makes buffered writes durable; called by the commit protocol. */
  flush(): void | Promise<void>;
  close(): void | Promise<void>;
}

/** Makes one store instance per task; the topology holds builders, tasks hold stores. */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  /** Whether changes are written to a `<application.id>-<name>-changelog` topic. */
  readonly loggingEnabled: boolean;
  build(): S;
}
