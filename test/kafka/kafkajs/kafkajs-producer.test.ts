import { afterEach, describe, expect, it } from 'vitest';
import { isKStreamsError } from '../../../src/errors.ts';
import { kafkaJsTestbed } from './kafkajs-test-support.ts';

const bed = kafkaJsTestbed();
afterEach(() => bed.closeAll());

describe('KafkaJsProducerAdapter', () => {
  it('reports every record’s partition and offset, in the order sent', async () => {
    const topic = await bed.createTopic('metadata', 2);
    const producer = bed.track(bed.client().producer({ compression: 'gzip' }));
    await producer.send([{ topic, partition: 1, key: null, value: Buffer.from('first') }]);
    const written = await producer.send([
      { topic, partition: 0, key: null, value: Buffer.from('a') },
      { topic, partition: 1, key: null, value: Buffer.from('b') },
      { topic, partition: 0, key: null, value: Buffer.from('c') },
      { topic, partition: 1, key: null, value: Buffer.from('d') },
    ]);
    expect(written).toEqual([
      { topic, partition: 0, offset: 0 },
      { topic, partition: 1, offset: 1 },
      { topic, partition: 0, offset: 1 },
      { topic, partition: 1, offset: 2 },
    ]);
  });

  it('refuses codecs kafkajs cannot use, naming the alternative', () => {
    expect(() => bed.client().producer({ compression: 'lz4' })).toThrow(
      expect.objectContaining({ code: 'KAFKA_UNSUPPORTED' }),
    );
  });

  it('refuses transactions on a producer without a transactional id', async () => {
    const producer = bed.track(bed.client().producer());
    await expect(producer.beginTransaction()).rejects.toSatisfy((e) => isKStreamsError(e, 'CONFIG_INVALID'));
  });
});
