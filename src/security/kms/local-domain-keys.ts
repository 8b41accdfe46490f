import { systemClock } from "../../core/clock.ts";
import type { Queryable } from "../../db/queryable.ts";
import { AesSecretBox } from "../aes-secret-box.ts";
import { loadMasterKey } from "../master-key.ts";
import { DomainKeys } from "./domain-keys.ts";
import { KmsGrantStore } from "./kms-grant-store.ts";
import { KmsKeyStore } from "./kms-key-store.ts";
import { KmsService } from "./kms-service.ts";

/**
 * The domains' keys over a database opened outside the server (CLI commands that read a domain's
 * sealed data): the same master key, region and account as the server's.
 */
export function localDomainKeys(
  db: Queryable,
  o: { dataDir: string; masterKey?: string | undefined; region: string; accountId: string },
): DomainKeys {
  const box = new AesSecretBox(loadMasterKey(o.dataDir, o.masterKey));
  const keys = new KmsKeyStore(box, systemClock, o.region, o.accountId);
  const noTags = { tagIn: async () => {}, clearIn: async () => {} };
  return new DomainKeys(new KmsService(db, keys, new KmsGrantStore(systemClock), noTags, systemClock), null);
}
