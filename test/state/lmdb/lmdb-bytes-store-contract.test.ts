import { openLmdbStore } from '../../../src/state/lmdb/open-lmdb-store.ts';
import { describeBytesStoreContract } from '../support/bytes-store-contract.ts';
import { temporaryStateDir } from './support/temporary-state-dir.ts';

describeBytesStoreContract('LMDB', () => {
  const directory = temporaryStateDir();
  return {
    open: (storeName) =>
      openLmdbStore({ stateDir: directory.stateDir, applicationId: 'app', taskId: '0_0', storeName }),
    dispose: async () => directory.remove(),
  };
});
