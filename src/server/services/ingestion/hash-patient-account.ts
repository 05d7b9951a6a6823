import { createHmac } from "node:crypto";
import { env } from "@/env";

/**
 * Minimum necessary PHI (PRODUCT.md §2): a patient account number is kept only as an
 * HMAC-SHA256 under the deployment's PATIENT_HASH_KEY, so equal accounts can be matched within
 * the deployment while the number itself is never stored. Returns hex.
 */
export function hashPatientAccount(account: string, key: string = env().PATIENT_HASH_KEY): string {
  return createHmac("sha256", key).update(account.trim(), "utf8").digest("hex");
}
