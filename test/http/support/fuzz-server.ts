// A query server over fake stores, for the API fuzzer: `node test/http/support/fuzz-server.ts <port>`.
import { createHttpServer } from '../../../src/http/create-http-server.ts';
import { FakeStoreQueries } from './fake-store-queries.ts';

const queries = new FakeStoreQueries();
for (let i = 0; i < 50; i++) queries.values.set(`key-${String(i).padStart(2, '0')}`, { n: i, big: BigInt(i) });
queries.windowsByKey.set('key-01', [{ startMs: 0, endMs: 1000, value: 1 }]);
const server = createHttpServer(queries, 'fuzz', { port: Number(process.argv[2] ?? 0), maxWaitMs: 200 });
const address = await server.listen();
process.stdout.write(`listening ${address.port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
