/**
 * A map keyed by topic and partition without building a "topic:partition" string per lookup: the poll
 * loop looks partitions up for every record, and those strings were a measurable share of its time.
 */
export class PartitionMap<T> {
  readonly #byTopic = new Map<string, Array<T | undefined>>();
  #size = 0;

  get(topic: string, partition: number): T | undefined {
    return this.#byTopic.get(topic)?.[partition];
  }

  set(topic: string, partition: number, value: T): void {
    let partitions = this.#byTopic.get(topic);
    if (partitions === undefined) {
      partitions = [];
      this.#byTopic.set(topic, partitions);
    }
    if (partitions[partition] === undefined) this.#size++;
    partitions[partition] = value;
  }

  delete(topic: string, partition: number): boolean {
    const partitions = this.#byTopic.get(topic);
    if (partitions?.[partition] === undefined) return false;
    partitions[partition] = undefined;
    this.#size--;
    return true;
  }

  get size(): number {
    return this.#size;
  }

  *values(): IterableIterator<T> {
    for (const partitions of this.#byTopic.values()) {
      for (const value of partitions) if (value !== undefined) yield value;
    }
  }

  clear(): void {
    this.#byTopic.clear();
    this.#size = 0;
  }
}
