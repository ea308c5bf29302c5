import { describe, expect, it } from 'vitest';
import { avroSchemaInfo, InMemorySchemaStore } from '../../../src/serdes/index.ts';

describe('InMemorySchemaStore', () => {
  it('finds a registered schema by its fingerprint, and nothing else', () => {
    const store = new InMemorySchemaStore(['string']);
    const fingerprint = store.register({ type: 'array', items: 'int' });
    expect(fingerprint).toBe(avroSchemaInfo({ type: 'array', items: 'int' }).fingerprint);
    expect(store.schemaFor(fingerprint)).toEqual({ type: 'array', items: 'int' });
    expect(store.schemaFor(-8142146995180207161n)).toBe('string');
    expect(store.schemaFor(1n)).toBeUndefined();
    expect(store.schemaFor(1)).toBeUndefined();
  });

  it('keeps one entry per canonical form', () => {
    const store = new InMemorySchemaStore(['int', { type: 'int' }, { type: 'int', logicalType: 'date' }]);
    expect(store.size).toBe(1);
  });
});
