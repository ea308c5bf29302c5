import { InMemoryBytesStore } from '../../../src/state/memory/in-memory-bytes-store.ts';
import { describeBytesStoreContract } from '../support/bytes-store-contract.ts';

describeBytesStoreContract('InMemoryBytesStore', () => ({
  open: (name) => new InMemoryBytesStore(name),
  dispose: async () => {},
}));
