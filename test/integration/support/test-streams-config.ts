import type { AdapterName } from '../../../src/kafka/index.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import type { StreamsConfig } from '../../../src/runtime/streams-config.ts';
import { testBrokers } from '../../setup/kafka-env.ts';

/**
 * The configuration the integration tests share: the test cluster, quick commits, and a short session so
 * a closed or killed member's tasks move within seconds.
 */
export function testStreamsConfig(
  adapter: AdapterName,
  applicationId: string,
  overrides: Partial<StreamsConfig> = {},
): StreamsConfig {
  return {
    applicationId,
    bootstrapServers: testBrokers(),
    clientAdapter: adapter,
    commitIntervalMs: 100,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    logger: silentLogger,
    ...overrides,
  };
}
