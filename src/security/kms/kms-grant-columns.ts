import { z } from "zod";
import { jsonColumn } from "../../db/json-column.ts";
import type { GrantConstraints } from "./kms-grant-store.ts";

/** kms_grants.operations: the operation names a grant allows (Encrypt, Decrypt, GenerateDataKey, …). */
export const grantOperationsColumn = jsonColumn("kms_grants", "operations", z.array(z.string()));

const context = z.record(z.string(), z.string());

/** kms_grants.constraints: the encryption context an operation under the grant must carry. */
export const grantConstraintsColumn = jsonColumn(
  "kms_grants",
  "constraints",
  z.object({
    EncryptionContextSubset: context.exactOptional(),
    EncryptionContextEquals: context.exactOptional(),
  }) satisfies z.ZodType<GrantConstraints>,
);
