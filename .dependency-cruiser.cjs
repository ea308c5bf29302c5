/**
 * Import rules from ../shared/DESIGN.md, checked on every `npm test`:
 * each third-party client library is imported in one adapter folder only, and layers import downward.
 */
const onlyIn = (module, folder) => ({
  name: `only-${folder.replaceAll('/', '-')}-imports-${module.replace(/[@/]/g, '')}`,
  comment: `${module} may only be imported in ${folder}/ (its adapter).`,
  severity: 'error',
  from: { pathNot: `^${folder}/` },
  to: { path: `node_modules/${module}/` },
});

// Layer -> the src folders it must not import (everything above it).
const layers = {
  'src/errors.ts': ['src/'],
  'src/serdes': [
    'src/kafka',
    'src/state',
    'src/processor',
    'src/dsl',
    'src/runtime',
    'src/query',
    'src/http',
    'src/testing',
    'src/cli',
    'src/metrics',
  ],
  'src/metrics': [
    'src/serdes',
    'src/kafka',
    'src/state',
    'src/processor',
    'src/dsl',
    'src/runtime',
    'src/query',
    'src/http',
    'src/testing',
    'src/cli',
  ],
  'src/kafka': [
    'src/state',
    'src/processor',
    'src/dsl',
    'src/runtime',
    'src/query',
    'src/http',
    'src/testing',
    'src/cli',
  ],
  'src/state': [
    'src/kafka',
    'src/processor',
    'src/dsl',
    'src/runtime',
    'src/query',
    'src/http',
    'src/testing',
    'src/cli',
  ],
  'src/processor': ['src/kafka', 'src/dsl', 'src/runtime', 'src/query', 'src/http', 'src/testing', 'src/cli'],
  'src/dsl': ['src/runtime', 'src/query', 'src/http', 'src/testing', 'src/cli'],
  'src/runtime': ['src/dsl', 'src/query', 'src/http', 'src/testing', 'src/cli'],
  'src/query': ['src/http', 'src/testing', 'src/cli'],
  'src/http': ['src/testing', 'src/cli'],
  'src/testing': ['src/cli'],
};

const layerRules = Object.entries(layers).map(([from, forbidden]) => ({
  name: `layer-${from.replace('src/', '').replace('.ts', '')}`,
  comment: `${from} sits below ${forbidden.join(', ')} and must not import them (see DESIGN.md).`,
  severity: 'error',
  from: { path: from === 'src/errors.ts' ? '^src/errors\\.ts$' : `^${from}/` },
  to: { path: forbidden.map((f) => `^${f}`), pathNot: from === 'src/errors.ts' ? '^src/errors\\.ts$' : undefined },
}));

module.exports = {
  forbidden: [
    onlyIn('@platformatic/kafka', 'src/kafka/platformatic'),
    onlyIn('kafkajs', 'src/kafka/kafkajs'),
    onlyIn('lmdb', 'src/state/lmdb'),
    onlyIn('avsc', 'src/serdes/avro'),
    onlyIn('prom-client', 'src/metrics'),
    onlyIn('fastify', 'src/http'),
    onlyIn('pino', 'src/cli'),
    ...layerRules,
    {
      name: 'adapters-stay-apart',
      comment: 'One Kafka adapter must not import the other.',
      severity: 'error',
      from: { path: '^src/kafka/(platformatic|kafkajs)/' },
      to: { path: '^src/kafka/(platformatic|kafkajs)/', pathNot: '^src/kafka/$1/' },
    },
    {
      name: 'src-stays-out-of-tooling',
      comment: 'The library must not import tests, scripts, benchmarks or topologies.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|bench|topologies)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      // Type-only imports vanish at run time, so only value imports can make a harmful cycle.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
