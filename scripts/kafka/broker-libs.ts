import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KStreamsError } from '../../src/errors.ts';
import { brokerLibsDir, kafkaVersion } from './cluster-layout.ts';
import { checkMaven, runCommand } from './prerequisites.ts';

const slf4jVersion = '2.0.17';
const log4jVersion = '2.24.3';

/**
 * A pom whose only purpose is to let Maven resolve the broker and its runtime dependencies.
 * slf4j-api is explicit because Kafka's transitive 1.7.36 would otherwise win, and log4j-slf4j2-impl
 * needs the 2.x API to bind.
 */
export function renderFetchPom(): string {
  const dependency = (groupId: string, artifactId: string, version: string) =>
    `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.kstreams</groupId>
  <artifactId>kafka-broker-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${[
  dependency('org.apache.kafka', 'kafka_2.13', kafkaVersion),
  dependency('org.slf4j', 'slf4j-api', slf4jVersion),
  dependency('org.apache.logging.log4j', 'log4j-slf4j2-impl', log4jVersion),
  dependency('org.apache.logging.log4j', 'log4j-core', log4jVersion),
].join('\n')}
  </dependencies>
</project>
`;
}

/** The cache is complete only once the renamed directory holds the broker jar. */
export function hasBrokerLibs(libsDir: string): boolean {
  return existsSync(join(libsDir, `kafka_2.13-${kafkaVersion}.jar`));
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/**
 * Returns the directory holding the broker's jars, fetching them from Maven Central on first use.
 * Maven writes into a temporary directory that is renamed into place, so an interrupted download is
 * never mistaken for a complete one.
 */
export async function ensureBrokerLibs(log: (line: string) => void): Promise<string> {
  const libsDir = brokerLibsDir();
  if (hasBrokerLibs(libsDir)) return libsDir;
  const mvn = await checkMaven();
  const versionDir = dirname(libsDir);
  const workDir = join(versionDir, `.fetch-${process.pid}-${Date.now()}`);
  const stagingLibs = join(workDir, 'libs');
  log(`Fetching Kafka ${kafkaVersion} broker jars with Maven into ${libsDir} (first run only)...`);
  const started = Date.now();
  await mkdir(workDir, { recursive: true });
  try {
    await writeFile(join(workDir, 'pom.xml'), renderFetchPom());
    const result = await runCommand(
      mvn,
      ['-B', '-q', 'dependency:copy-dependencies', `-DoutputDirectory=${stagingLibs}`, '-DincludeScope=runtime'],
      workDir,
    );
    if (result.code !== 0 || !hasBrokerLibs(stagingLibs)) {
      throw new KStreamsError(
        'CONFIG_INVALID',
        `Maven could not fetch the Kafka ${kafkaVersion} broker jars:\n${lastLines(result.output, 30)}`,
        {
          hint: 'check network access to Maven Central (and ~/.m2/settings.xml proxies), or set KAFKA_BROKERS to an existing cluster.',
        },
      );
    }
    // Only a tampered cache can be incomplete (downloads are renamed into place); replace it.
    if (existsSync(libsDir) && !hasBrokerLibs(libsDir)) await rm(libsDir, { recursive: true, force: true });
    try {
      await rename(stagingLibs, libsDir);
    } catch (error) {
      // Another start finished the same download first: its copy is complete, keep it.
      if (!hasBrokerLibs(libsDir)) throw error;
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  log(`Fetched the broker jars in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return libsDir;
}
