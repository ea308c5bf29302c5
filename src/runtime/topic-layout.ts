import { KStreamsError } from '../errors.ts';
import type { Admin } from '../kafka/types.ts';
import { type Subtopology, subtopologiesOf } from '../processor/subtopologies.ts';
import type { Topology } from '../processor/topology.ts';
import { changelogTopicName } from './changelog-records.ts';
import type { SubtopologyTopics } from './streams-assignor.ts';

/** A sub-topology with the real names of the topics its tasks read. */
export interface LaidOutSubtopology extends SubtopologyTopics {
  readonly spec: Subtopology;
}

/**
 * The topology mapped onto the cluster: real topic names (internal topics get the application id as
 * prefix), which sub-topology reads each topic, and partition counts of the topics read and written.
 */
export interface TopicLayout {
  readonly subtopologies: readonly LaidOutSubtopology[];
  /** Every topic the consumer subscribes to. */
  readonly sourceTopics: readonly string[];
  /** Topic name as written in the topology -> name on the cluster. */
  realName(topic: string): string;
  subtopologyOf(realTopic: string): LaidOutSubtopology | undefined;
  /** Partition count of a source or sink topic known at start; undefined when unknown. */
  partitionCount(realTopic: string): number | undefined;
  /** The changelog topic of a logged store (`<application.id>-<store>-changelog`); undefined when unlogged. */
  changelogTopic(storeName: string): string | undefined;
  /**
   * The topics of global stores (GlobalKTable) with their partition counts: every instance reads all of
   * their partitions outside the group, so they are neither in `subtopologies` nor in `sourceTopics`.
   */
  readonly globalTopics: readonly { readonly topic: string; readonly partitions: number }[];
}

/** `<application.id>-<name>`, as Kafka Streams names internal topics (the DSL adds `-repartition`). */
export function internalTopicName(applicationId: string, name: string): string {
  return `${applicationId}-${name}`;
}

/**
 * Checks the cluster before joining: every source topic exists, the sources of a sub-topology are
 * co-partitioned, and the internal topics exist with the partition counts they need (created if missing).
 */
export async function prepareTopicLayout(
  topology: Topology,
  applicationId: string,
  admin: Admin,
): Promise<TopicLayout> {
  const specs = subtopologiesOf(topology);
  const internal = new Map(topology.internalTopics().map((t) => [t.name, t]));
  const realName = (topic: string) => (internal.has(topic) ? internalTopicName(applicationId, topic) : topic);
  const internalReal = new Set([...internal.keys()].map(realName));
  const changelogs = new Map(
    topology
      .storeBuilders()
      // A global store's topic is its changelog: it has none of its own.
      .filter((builder) => builder.loggingEnabled && !topology.globalStoreNames().includes(builder.name))
      .map((builder) => [builder.name, changelogTopicName(applicationId, builder.name)]),
  );
  // A pattern source must not match the application's own changelogs.
  for (const topic of changelogs.values()) internalReal.add(topic);

  const existing = new Set(await admin.listTopics());
  const external = new Set<string>();
  const topicsBySubtopology = new Map<number, string[]>();
  for (const spec of specs) {
    const matched = [...existing]
      .filter((t) => !internalReal.has(t) && spec.sourcePatterns.some((p) => p.test(t)))
      .sort();
    const topics = [...new Set([...spec.sourceTopics.map(realName), ...matched])];
    topicsBySubtopology.set(spec.id, topics);
    for (const topic of topics) if (!internalReal.has(topic)) external.add(topic);
  }
  const globalTopics = new Set(specs.filter((s) => s.global).flatMap((s) => topicsBySubtopology.get(s.id) ?? []));
  const missingGlobal = [...globalTopics].filter((t) => !existing.has(t));
  if (missingGlobal.length > 0) {
    throw new KStreamsError(
      'KAFKA_TOPIC_NOT_FOUND',
      `Global table topic${missingGlobal.length > 1 ? 's' : ''} ${missingGlobal.map((t) => `"${t}"`).join(', ')} of application "${applicationId}" ${missingGlobal.length > 1 ? 'do' : 'does'} not exist.`,
      {
        hint: 'Create the topic read by builder.globalTable() before starting the application (kstreams does not auto-create source topics).',
      },
    );
  }
  const missing = [...external].filter((t) => !existing.has(t));
  if (missing.length > 0) {
    throw new KStreamsError(
      'KAFKA_TOPIC_NOT_FOUND',
      `Source topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(', ')} of application "${applicationId}" ${missing.length > 1 ? 'do' : 'does'} not exist.`,
      { hint: 'Create the topic before starting the application (kstreams does not auto-create source topics).' },
    );
  }

  const sinkTopics = topology
    .nodes()
    .flatMap((n) => (n.kind === 'sink' && typeof n.topic === 'string' ? [realName(n.topic)] : []))
    .filter((t) => existing.has(t) && !internalReal.has(t));
  const described = await admin.describeTopics([...new Set([...external, ...sinkTopics])]);
  const counts = new Map(described.map((d) => [d.name, d.partitions]));

  await createInternalTopics(topology, specs, topicsBySubtopology, realName, internalReal, existing, counts, admin);

  // Global sub-topologies make no tasks: the global stream loop runs them over every partition.
  const subtopologies: LaidOutSubtopology[] = specs
    .filter((spec) => !spec.global)
    .map((spec) => ({ subtopology: spec.id, topics: topicsBySubtopology.get(spec.id) ?? [], spec }));
  for (const { subtopology, topics } of subtopologies) checkCopartitioned(subtopology, topics, counts);
  await createChangelogTopics(topology, subtopologies, changelogs, counts, existing, admin);

  const byTopic = new Map<string, LaidOutSubtopology>();
  for (const laidOut of subtopologies) for (const topic of laidOut.topics) byTopic.set(topic, laidOut);
  return {
    subtopologies,
    sourceTopics: [...byTopic.keys()],
    realName,
    subtopologyOf: (topic) => byTopic.get(topic),
    partitionCount: (topic) => counts.get(topic),
    changelogTopic: (store) => changelogs.get(store),
    globalTopics: [...globalTopics].map((topic) => ({ topic, partitions: counts.get(topic) ?? 0 })),
  };
}

/**
 * Each logged store gets a compacted changelog with one partition per task of its sub-topology (the
 * partition count of the sources). An existing changelog with another count would put a task's changes
 * where another task restores from: refused.
 */
async function createChangelogTopics(
  topology: Topology,
  subtopologies: readonly LaidOutSubtopology[],
  changelogs: ReadonlyMap<string, string>,
  counts: Map<string, number>,
  existing: ReadonlySet<string>,
  admin: Admin,
): Promise<void> {
  const wanted = new Map<string, { store: string; partitions: number; configs: Record<string, string> }>();
  for (const { spec, topics } of subtopologies) {
    if (spec.global) continue;
    const partitions = topics.length === 0 ? undefined : counts.get(topics[0]!);
    if (partitions === undefined) continue;
    for (const store of spec.stores) {
      const topic = changelogs.get(store);
      if (topic === undefined) continue;
      const configs = { 'cleanup.policy': 'compact', ...(topology.storeBuilder(store)?.loggingConfigs ?? {}) };
      wanted.set(topic, { store, partitions, configs });
    }
  }
  if (wanted.size === 0) return;
  const toCreate = [...wanted].filter(([topic]) => !existing.has(topic));
  if (toCreate.length > 0) {
    await admin.createTopics(
      toCreate.map(([name, { partitions, configs }]) => ({ name, partitions, configs })),
      { ignoreExisting: true },
    );
  }
  for (const description of await describeCreated(admin, [...wanted.keys()], toCreate.length > 0)) {
    const { store, partitions } = wanted.get(description.name)!;
    if (description.partitions !== partitions) {
      throw new KStreamsError(
        'TOPOLOGY_INVALID',
        `Changelog topic "${description.name}" of store "${store}" has ${description.partitions} partitions, but the store needs ${partitions} (one per partition of its source topics).`,
        {
          hint: "Delete the changelog topic and the local state (after stopping every instance) so the application recreates and restores it, or give the source topics the changelog's partition count.",
        },
      );
    }
    counts.set(description.name, description.partitions);
  }
}

/**
 * Internal topics without an explicit count take the count of the other sources of the sub-topology that
 * reads them (so they are co-partitioned with them), else of the sources of the sub-topology writing them.
 */
async function createInternalTopics(
  topology: Topology,
  specs: readonly Subtopology[],
  topicsBySubtopology: ReadonlyMap<number, readonly string[]>,
  realName: (topic: string) => string,
  internalReal: ReadonlySet<string>,
  existing: ReadonlySet<string>,
  counts: Map<string, number>,
  admin: Admin,
): Promise<void> {
  const declared = topology.internalTopics();
  if (declared.length === 0) return;
  const wanted = new Map<string, number>();
  for (const topic of declared) if (topic.partitions !== undefined) wanted.set(realName(topic.name), topic.partitions);
  const countOf = (topic: string) => wanted.get(topic) ?? (internalReal.has(topic) ? undefined : counts.get(topic));
  const writers = (topic: string) =>
    specs.filter((spec) =>
      spec.nodes.some((name) => {
        const node = topology.node(name);
        return node?.kind === 'sink' && typeof node.topic === 'string' && realName(node.topic) === topic;
      }),
    );
  const maxOf = (topics: readonly string[]) => {
    const known = topics.map(countOf).filter((c): c is number => c !== undefined);
    return known.length === 0 ? undefined : Math.max(...known);
  };
  // Chains of repartitions resolve one link per round.
  for (let round = 0; round <= declared.length; round++) {
    for (const topic of declared.map((t) => realName(t.name))) {
      if (wanted.has(topic)) continue;
      const reader = specs.find((spec) => topicsBySubtopology.get(spec.id)?.includes(topic));
      const siblings = (reader === undefined ? [] : topicsBySubtopology.get(reader.id)!).filter((t) => t !== topic);
      const count = maxOf(siblings) ?? maxOf(writers(topic).flatMap((spec) => topicsBySubtopology.get(spec.id) ?? []));
      if (count !== undefined) wanted.set(topic, count);
    }
  }
  const unresolved = declared.map((t) => realName(t.name)).filter((t) => !wanted.has(t));
  if (unresolved.length > 0) {
    throw new KStreamsError(
      'TOPOLOGY_INVALID',
      `Cannot tell how many partitions internal topic "${unresolved[0]}" needs.`,
      { hint: 'Give the repartition an explicit partition count (Repartitioned.withNumberOfPartitions).' },
    );
  }
  const toCreate = [...wanted].filter(([topic]) => !existing.has(topic));
  if (toCreate.length > 0) {
    await admin.createTopics(
      toCreate.map(([name, partitions]) => ({ name, partitions, configs: { 'cleanup.policy': 'delete' } })),
      { ignoreExisting: true },
    );
  }
  for (const description of await describeCreated(admin, [...wanted.keys()], toCreate.length > 0)) {
    const expected = wanted.get(description.name)!;
    if (description.partitions !== expected) {
      throw new KStreamsError(
        'TOPOLOGY_INVALID',
        `Internal topic "${description.name}" has ${description.partitions} partitions, but the topology needs ${expected}.`,
        {
          hint: 'Delete the internal topic (after stopping every instance) or give the repartition the existing count; the application recreates it.',
        },
      );
    }
    counts.set(description.name, description.partitions);
  }
}

/**
 * Describes topics, some maybe just created: a new topic can take a moment to appear in the metadata the
 * broker answers with, so "not found" is retried for a while when something was created (seen in CI: a
 * changelog created by this instance reported missing by the describe right after).
 */
async function describeCreated(
  admin: Admin,
  names: readonly string[],
  created: boolean,
  waitMs = 10_000,
): Promise<Awaited<ReturnType<Admin['describeTopics']>>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await admin.describeTopics(names);
    } catch (error) {
      const notYet = error instanceof KStreamsError && error.code === 'KAFKA_TOPIC_NOT_FOUND';
      if (!created || !notYet || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function checkCopartitioned(subtopology: number, topics: readonly string[], counts: ReadonlyMap<string, number>): void {
  const first = topics[0];
  if (first === undefined) return;
  for (const topic of topics.slice(1)) {
    if (counts.get(topic) !== counts.get(first)) {
      throw new KStreamsError(
        'TOPOLOGY_INVALID',
        `Topics "${first}" (${counts.get(first)} partitions) and "${topic}" (${counts.get(topic)} partitions) are read by sub-topology ${subtopology} but are not co-partitioned.`,
        {
          hint: 'Give both topics the same number of partitions, or repartition one of them (KStream.repartition) before combining them.',
        },
      );
    }
  }
}
