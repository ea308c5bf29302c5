import type {
  GroupConsumer,
  GroupConsumerOptions,
  KafkaClient,
  Producer,
  ProducerOptions,
  ProducerRecord,
} from '../src/kafka/index.ts';

export interface ClientObserver {
  /** A commit of the group consumer finished, at this time (performance.now()). */
  committed(at: number): void;
  /** A producer send was acknowledged at `ackedAt` (epoch ms); only called when asked for (latency runs). */
  acknowledged?(records: readonly ProducerRecord[], ackedAt: number): void;
}

/**
 * The engine's Kafka client with watch points for the benchmark, injected through KafkaStreams' client
 * option: it records when each offset commit finished and, for latency runs, when each send was
 * acknowledged. It changes no option and no behaviour of the clients the engine makes.
 */
export function measuredClient(inner: KafkaClient, observer: ClientObserver): KafkaClient {
  return {
    adapter: inner.adapter,
    connection: inner.connection,
    producer: (options?: ProducerOptions) => measuredProducer(inner.producer(options), observer),
    groupConsumer: (options: GroupConsumerOptions) => measuredConsumer(inner.groupConsumer(options), observer),
    assignedConsumer: (options) => inner.assignedConsumer(options),
    admin: () => inner.admin(),
  };
}

function measuredProducer(inner: Producer, observer: ClientObserver): Producer {
  const acknowledged = observer.acknowledged;
  return {
    send: (records) => {
      const sending = inner.send(records);
      if (acknowledged === undefined) return sending;
      return sending.then((metadata) => {
        acknowledged(records, performance.timeOrigin + performance.now());
        return metadata;
      });
    },
    beginTransaction: () => inner.beginTransaction(),
    close: () => inner.close(),
  };
}

function measuredConsumer(inner: GroupConsumer, observer: ClientObserver): GroupConsumer {
  return {
    connect: () => inner.connect(),
    poll: (options) => inner.poll(options),
    commit: async (offsets) => {
      await inner.commit(offsets);
      observer.committed(performance.now());
    },
    committed: (partitions) => inner.committed(partitions),
    pause: (partitions) => inner.pause(partitions),
    resume: (partitions) => inner.resume(partitions),
    paused: () => inner.paused(),
    seek: (position) => inner.seek(position),
    assignment: () => inner.assignment(),
    groupMetadata: () => inner.groupMetadata(),
    close: () => inner.close(),
  };
}
