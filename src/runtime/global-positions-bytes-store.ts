import type { TopicPartition, TopicPartitionOffset } from '../kafka/types.ts';
import type { BytesEntry, BytesRange, BytesStore, BytesWrite } from '../state/bytes-store.ts';

/**
 * The bytes store under a global store: a global store covers every partition of its topic, so it needs
 * one source offset per partition, where a task's store has one changelog offset. They are kept in the
 * store itself, in a key space of their own (data keys get a 0x01 byte in front, offsets 0x00), so that
 * a commit writes data and offsets in one transaction of the underlying store.
 */
export class GlobalPositionsBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent: boolean;
  readonly #inner: BytesStore;
  #staged: readonly TopicPartitionOffset[] = [];
  #storedPositions: number | undefined;

  constructor(inner: BytesStore) {
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.#inner = inner;
  }

  /** The positions the next commit writes with its data (the offsets its data cover). */
  stagePositions(positions: readonly TopicPartitionOffset[]): void {
    this.#staged = positions;
  }

  /** The source offsets stored by the last commit: the next offset to read per partition. */
  positions(): readonly TopicPartitionOffset[] {
    const positions: TopicPartitionOffset[] = [];
    for (const { key, value } of this.#inner.prefixScan(positionSpace)) {
      const partition = decodePartition(key);
      if (partition !== undefined) positions.push({ ...partition, offset: Number(value.readBigUInt64BE(0)) });
    }
    this.#storedPositions = positions.length;
    return positions;
  }

  get(key: Buffer): Buffer | undefined {
    return this.#inner.get(dataKey(key));
  }

  range(range: BytesRange = {}): IterableIterator<BytesEntry> {
    return stripped(
      this.#inner.range({
        ...range,
        from: range.from === undefined ? dataSpace : dataKey(range.from),
        to: range.to === undefined ? afterDataSpace : dataKey(range.to),
      }),
    );
  }

  prefixScan(prefix: Buffer): IterableIterator<BytesEntry> {
    return stripped(this.#inner.prefixScan(dataKey(prefix)));
  }

  approximateCount(): number {
    this.#storedPositions ??= this.positions().length;
    return Math.max(0, this.#inner.approximateCount() - this.#storedPositions);
  }

  async commit(writes: readonly BytesWrite[], changelogOffset?: number): Promise<void> {
    const staged = this.#staged;
    const all: BytesWrite[] = writes.map((write) => ({ key: dataKey(write.key), value: write.value }));
    for (const position of staged) all.push({ key: positionKey(position), value: encodeOffset(position.offset) });
    await this.#inner.commit(all, changelogOffset);
    this.#storedPositions = undefined;
  }

  changelogOffset(): number | undefined {
    return this.#inner.changelogOffset();
  }

  async clear(): Promise<void> {
    this.#staged = [];
    await this.#inner.clear();
    this.#storedPositions = 0;
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

const positionSpace = Buffer.from([0x00]);
const dataSpace = Buffer.from([0x01]);
const afterDataSpace = Buffer.from([0x02]);

function dataKey(key: Buffer): Buffer {
  return Buffer.concat([dataSpace, key]);
}

function positionKey(tp: TopicPartition): Buffer {
  return Buffer.concat([positionSpace, Buffer.from(JSON.stringify([tp.topic, tp.partition]), 'utf8')]);
}

function decodePartition(key: Buffer): TopicPartition | undefined {
  try {
    const [topic, partition] = JSON.parse(key.subarray(1).toString('utf8')) as [unknown, unknown];
    return typeof topic === 'string' && typeof partition === 'number' ? { topic, partition } : undefined;
  } catch {
    return undefined;
  }
}

function encodeOffset(offset: number): Buffer {
  const encoded = Buffer.alloc(8);
  encoded.writeBigUInt64BE(BigInt(offset));
  return encoded;
}

function* stripped(entries: IterableIterator<BytesEntry>): IterableIterator<BytesEntry> {
  for (const { key, value } of entries) yield { key: key.subarray(1), value };
}
