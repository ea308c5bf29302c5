import { describe, expect, it } from 'vitest';
import {
  brokerLibsDir,
  cacheDir,
  clusterLayout,
  plaintextBootstrap,
  saslBootstrap,
} from '../../../scripts/kafka/cluster-layout.ts';

describe('cacheDir', () => {
  it('prefers KSTREAMS_CACHE_DIR, then XDG_CACHE_HOME/kstreams, then ~/.cache/kstreams', () => {
    expect(cacheDir({ KSTREAMS_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(cacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/kstreams');
    expect(cacheDir({ HOME: '/h' })).toBe('/h/.cache/kstreams');
    expect(cacheDir({ KSTREAMS_CACHE_DIR: '', XDG_CACHE_HOME: '', HOME: '/h' })).toBe('/h/.cache/kstreams');
  });

  it('keeps the broker jars in a versioned directory of the cache', () => {
    expect(brokerLibsDir({ KSTREAMS_CACHE_DIR: '/c' })).toBe('/c/kafka-4.1.2/libs');
  });
});

describe('clusterLayout', () => {
  it('keeps the 1- and 3-node clusters in separate directories under .kafka', () => {
    expect(clusterLayout('/repo', 1).dir).toBe('/repo/.kafka/cluster-1');
    expect(clusterLayout('/repo', 3).nodes.map((node) => node.dataDir)).toEqual([
      '/repo/.kafka/cluster-3/node-0/data',
      '/repo/.kafka/cluster-3/node-1/data',
      '/repo/.kafka/cluster-3/node-2/data',
    ]);
  });

  it('lists the bootstrap addresses of every node', () => {
    const layout = clusterLayout('/repo', 3);
    expect(plaintextBootstrap(layout)).toEqual(['127.0.0.1:9092', '127.0.0.1:9093', '127.0.0.1:9094']);
    expect(saslBootstrap(layout)).toEqual(['127.0.0.1:29092', '127.0.0.1:29093', '127.0.0.1:29094']);
  });
});
