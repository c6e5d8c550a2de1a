import Database from 'better-sqlite3';
import type { Storage } from '../../src/spec/storage';
import { createMemoryStorage } from '../../src/storage/memory';
import { createSqlStorage, fromBetterSqlite3 } from '../../src/storage/sql';
import { createKeyVault, type KeyVault } from '../../src/vault';
import { hexMasterKey } from '../vault/vault-test-helpers';

/** A storage backend the tenancy suites run on. */
export interface TenancyBackend {
  name: string;
  open(): Promise<{ storage: Storage; close(): Promise<void> }>;
}

/** Memory and SQLite (better-sqlite3 `:memory:` through createSqlStorage). */
export const tenancyBackends: TenancyBackend[] = [
  { name: 'memory', open: async () => ({ storage: createMemoryStorage(), close: async () => {} }) },
  {
    name: 'sqlite',
    open: async () => {
      const database = new Database(':memory:');
      const storage = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database) });
      await storage.migrate();
      return {
        storage,
        close: async () => {
          database.close();
        },
      };
    },
  },
];

export const userKeys = {
  alice: 'sk-alice-Qm4Rt7Yp2Lx9Vb3Nc8Hd5Jf1Kg6Ws0Ez',
  bob: 'sk-bob-Tz8Wq3Lm6Rp1Xv9Ys4Kc7Nd2Hf5Jb0Ga',
  managed: 'sk-host-Hn5Pq8Rs2Tv6Wx9Yz3Bc7Df1Gh4Jk0Lm',
  instance: 'sk-inst-Ab3Cd6Ef9Gh2Ij5Kl8Mn1Op4Qr7St0Uv',
};

export function createTestVault(): KeyVault {
  return createKeyVault({ masterKey: hexMasterKey, keyId: 'k1' });
}

export async function caught(run: () => unknown): Promise<any> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
