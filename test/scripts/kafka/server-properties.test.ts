import { describe, expect, it } from 'vitest';
import { clusterLayout } from '../../../scripts/kafka/cluster-layout.ts';
import { renderLog4j2Config, renderServerProperties } from '../../../scripts/kafka/server-properties.ts';

function parseProperties(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line): [string, string] => {
      const separator = line.indexOf('=');
      return [line.slice(0, separator), line.slice(separator + 1)];
    });
  return new Map(entries);
}

describe('renderServerProperties', () => {
  it('configures one combined broker+controller with replication 1 on 9092/19092/29092', () => {
    const layout = clusterLayout('/repo', 1);
    const props = parseProperties(renderServerProperties(layout, layout.nodes[0]!));
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('node.id')).toBe('0');
    expect(props.get('controller.quorum.voters')).toBe('0@127.0.0.1:19092');
    expect(props.get('listeners')).toBe(
      'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:29092',
    );
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:29092');
    expect(props.get('log.dirs')).toBe('/repo/.kafka/cluster-1/node-0/data');
    for (const key of [
      'default.replication.factor',
      'min.insync.replicas',
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
    ]) {
      expect(props.get(key), key).toBe('1');
    }
    expect(props.get('auto.create.topics.enable')).toBe('false');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
  });

  it('gives each of three nodes its own ports and data dir, one shared quorum, replication 3 and min ISR 2', () => {
    const layout = clusterLayout('/repo', 3);
    const nodes = layout.nodes.map((node) => parseProperties(renderServerProperties(layout, node)));
    expect(nodes.map((props) => props.get('node.id'))).toEqual(['0', '1', '2']);
    expect(nodes.map((props) => props.get('listeners'))).toEqual([
      'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092,SASL_PLAINTEXT://127.0.0.1:29092',
      'PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:19093,SASL_PLAINTEXT://127.0.0.1:29093',
      'PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:19094,SASL_PLAINTEXT://127.0.0.1:29094',
    ]);
    expect(new Set(nodes.map((props) => props.get('log.dirs'))).size).toBe(3);
    for (const props of nodes) {
      expect(props.get('controller.quorum.voters')).toBe('0@127.0.0.1:19092,1@127.0.0.1:19093,2@127.0.0.1:19094');
      expect(props.get('default.replication.factor')).toBe('3');
      expect(props.get('offsets.topic.replication.factor')).toBe('3');
      expect(props.get('transaction.state.log.replication.factor')).toBe('3');
      expect(props.get('min.insync.replicas')).toBe('2');
      expect(props.get('transaction.state.log.min.isr')).toBe('2');
    }
  });

  it('enables SASL/PLAIN on the SASL_PLAINTEXT listener with the admin and kstreams users', () => {
    const layout = clusterLayout('/repo', 1);
    const props = parseProperties(renderServerProperties(layout, layout.nodes[0]!));
    expect(props.get('sasl.enabled.mechanisms')).toBe('PLAIN');
    const jaas = props.get('listener.name.sasl_plaintext.plain.sasl.jaas.config');
    expect(jaas).toMatch(/^org\.apache\.kafka\.common\.security\.plain\.PlainLoginModule required /);
    expect(jaas).toContain('user_admin="admin-secret"');
    expect(jaas).toContain('user_kstreams="kstreams-secret"');
    expect(jaas?.endsWith(';')).toBe(true);
  });
});

describe('renderLog4j2Config', () => {
  it('writes broker logs to server.log in the directory given by -Dkafka.logs.dir', () => {
    expect(renderLog4j2Config()).toContain(`fileName: "\${sys:kafka.logs.dir}/server.log"`);
  });
});
