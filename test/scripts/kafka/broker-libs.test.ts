import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasBrokerLibs, renderFetchPom } from '../../../scripts/kafka/broker-libs.ts';

describe('renderFetchPom', () => {
  it('asks for the broker plus an explicit slf4j 2 API and the log4j2 binding', () => {
    const pom = renderFetchPom();
    expect(pom).toContain('<packaging>pom</packaging>');
    const dependencies = [
      ...pom.matchAll(/<groupId>([^<]+)<\/groupId><artifactId>([^<]+)<\/artifactId><version>([^<]+)</g),
    ].map((match) => `${match[1]}:${match[2]}:${match[3]}`);
    expect(dependencies).toEqual([
      'org.apache.kafka:kafka_2.13:4.1.2',
      'org.slf4j:slf4j-api:2.0.17',
      'org.apache.logging.log4j:log4j-slf4j2-impl:2.24.3',
      'org.apache.logging.log4j:log4j-core:2.24.3',
    ]);
  });
});

describe('hasBrokerLibs', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts a cache as complete only when the broker jar is there', () => {
    dir = mkdtempSync(join(tmpdir(), 'kstreams-libs-'));
    expect(hasBrokerLibs(dir)).toBe(false);
    writeFileSync(join(dir, 'kafka-clients-4.1.2.jar'), '');
    expect(hasBrokerLibs(dir)).toBe(false);
    writeFileSync(join(dir, 'kafka_2.13-4.1.2.jar'), '');
    expect(hasBrokerLibs(dir)).toBe(true);
    expect(hasBrokerLibs(join(dir, 'missing'))).toBe(false);
  });
});
