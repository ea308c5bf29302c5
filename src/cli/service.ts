import type { RouteServer } from '../http/index.ts';
import type { Producer } from '../kafka/types.ts';
import type { Topology } from '../processor/topology.ts';
import type { KeyFormat, WaitCondition } from '../query/index.ts';
import type { KafkaStreams } from '../runtime/kafka-streams.ts';
import type { StreamsConfig } from '../runtime/streams-config.ts';

/** What a service's own HTTP routes can use: its running app (stores, metadata) and a producer. */
export interface ServiceRuntime {
  readonly app: KafkaStreams;
  /** Shared by the service's routes; acks=all, idempotent. Closed by the runner after the app. */
  readonly producer: Producer;
}

/** A topic a service reads or writes, created by the runner when missing. */
export interface ServiceTopic {
  readonly name: string;
  readonly partitions: number;
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * One service of an estate, as `kstreams run <module>` runs it: the module's default export (or its
 * `service` export) is a ServiceDefinition. The runner adds the brokers, state dir, HTTP endpoint and
 * logger from its config file and environment.
 */
export interface ServiceDefinition {
  /** The application.id (the consumer group and internal topic prefix), unless the config overrides it. */
  readonly applicationId: string;
  readonly description?: string;
  /** Builds the topology (called once per run or describe). */
  topology(): Topology;
  /** The service's own config defaults (serdes, commit interval, ...); the runner's config wins. */
  readonly config?: Partial<StreamsConfig>;
  /** Topics it needs; created with these partition counts when missing. */
  readonly topics?: readonly ServiceTopic[];
  readonly http?: {
    /** Named `?until=` conditions for long-polls on its stores. */
    readonly waitConditions?: Readonly<Record<string, WaitCondition>>;
    readonly keyFormats?: Readonly<Record<string, KeyFormat>>;
    /** Its own routes (commands such as `POST /orders`), next to the query routes. */
    routes?(server: RouteServer, runtime: ServiceRuntime): void;
  };
}

/** Declares a service module (identity at runtime; it gives the module its type). */
export function defineService(definition: ServiceDefinition): ServiceDefinition {
  return definition;
}
