import { CLAIM_LEVEL_GROUP, cptGroupFor } from "./cpt-groups";
import { hashPatientAccount } from "./hash-patient-account";
import { normalizePayerName } from "./normalize-payer-name";
import type { TStagedLine } from "./parse/claim-line-input";

/**
 * The staging table every upload is COPYed into before one set-based INSERT … ON CONFLICT moves
 * it into claim_lines. A temporary table dropped at commit: invisible to other sessions, gone on
 * rollback, never WAL-logged. Values arrive already validated and canonical (dates YYYY-MM-DD,
 * money as decimal strings), so COPY's own parsing is the only conversion left.
 */
export const STAGE_TABLE = "ingest_staged_lines";

export const CREATE_STAGE_TABLE = `CREATE TEMP TABLE ${STAGE_TABLE} (
  seq                  integer NOT NULL,
  submitter_claim_id   text NOT NULL,
  line_number          integer NOT NULL,
  payer_claim_number   text,
  payer_key            text NOT NULL,
  payer_name           text NOT NULL,
  cpt_code             text,
  default_group        text NOT NULL,
  units                numeric(10, 2) NOT NULL,
  service_date         date NOT NULL,
  submitted_at         date,
  decided_at           date NOT NULL,
  paid_at              date,
  billed_amount        numeric(12, 2) NOT NULL,
  allowed_amount       numeric(12, 2),
  paid_amount          numeric(12, 2),
  outcome              claim_outcome NOT NULL,
  denial_group         text,
  denial_code          text,
  remark_codes         text[] NOT NULL,
  patient_account_hash text,
  submitted_cpt_code   text,
  facility_type        text,
  payer_identifier     text,
  modifier             text NOT NULL
) ON COMMIT DROP`;

export const COPY_STAGE_SQL = `COPY ${STAGE_TABLE} FROM STDIN`;

/**
 * Large uploads are applied in batches (the staging table holds one batch at a time), so the
 * database inserts one batch while the parser reads the next. The keys of every staged line
 * stay here for the whole upload: duplicates across batches and X12 reversals are checked
 * against all of them. Temporary and unindexed like the staging table.
 */
export const STAGE_KEYS_TABLE = "ingest_staged_keys";

export const CREATE_STAGE_KEYS_TABLE = `CREATE TEMP TABLE ${STAGE_KEYS_TABLE} (
  seq                  integer NOT NULL,
  submitter_claim_id   text NOT NULL,
  line_number          integer NOT NULL
) ON COMMIT DROP`;

const NULL = "\\N";
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** COPY text-format escaping; validated text has no control characters, but be exact anyway. */
function text(value: string | undefined): string {
  if (value === undefined) return NULL;
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

/**
 * Checks the database makes that the shared line schema leaves to the writer: numeric(10,2)
 * units above zero must stay above zero after rounding (0 itself is an 835 denied line), and
 * payment cannot precede submission.
 */
export function storableProblem(line: TStagedLine): { field: string; message: string } | null {
  const units = Math.round(line.units * 100) / 100;
  if (line.units > 0 && units <= 0) return { field: "units", message: "units must be at least 0.01" };
  if (units >= 100_000_000) return { field: "units", message: "units must be less than 100,000,000" };
  if (line.paidAt !== undefined && line.submittedAt !== null && line.paidAt < line.submittedAt) {
    return { field: "paidAt", message: "payment date is before the submission date" };
  }
  return null;
}

/** Turns validated lines into COPY rows; caches per-code groups, payer keys and the HMAC key. */
export class StageRowFormatter {
  private readonly groups = new Map<string, string>();
  private readonly payerKeys = new Map<string, string>();
  // An account recurs on every line of its claims: the HMAC was a fifth of the parse time.
  private readonly accountHashes = new Map<string, string>();

  constructor(private readonly patientHashKey?: string) {}

  private accountHash(account: string): string {
    let hash = this.accountHashes.get(account);
    if (hash === undefined) {
      hash = hashPatientAccount(account, this.patientHashKey);
      // Bounded, so memory stays flat in the upload size: start over rather than grow.
      if (this.accountHashes.size >= 65_536) this.accountHashes.clear();
      this.accountHashes.set(account, hash);
    }
    return hash;
  }

  row(seq: number, line: TStagedLine): string {
    const code = line.cptCode;
    let group = code === null ? CLAIM_LEVEL_GROUP : this.groups.get(code);
    if (group === undefined && code !== null) {
      group = cptGroupFor(code);
      if (this.groups.size < 100_000) this.groups.set(code, group);
    }
    let payerKey = this.payerKeys.get(line.payerName);
    if (payerKey === undefined) {
      payerKey = normalizePayerName(line.payerName);
      if (this.payerKeys.size < 10_000) this.payerKeys.set(line.payerName, payerKey);
    }
    const remarks = line.remarkCodes && line.remarkCodes.length > 0 ? `{${line.remarkCodes.join(",")}}` : "{}";
    const account = line.patientAccount === undefined ? NULL : this.accountHash(line.patientAccount);
    return (
      `${seq}\t${text(line.submitterClaimId)}\t${line.lineNumber}\t${text(line.payerClaimNumber)}\t` +
      `${text(payerKey)}\t${text(line.payerName)}\t${code ?? NULL}\t${group}\t${line.units}\t` +
      `${line.serviceDate}\t${line.submittedAt ?? NULL}\t${line.decidedAt}\t${line.paidAt ?? NULL}\t` +
      `${line.billedAmount}\t${line.allowedAmount ?? NULL}\t${line.paidAmount ?? NULL}\t${line.outcome}\t` +
      `${line.denialReason?.group ?? NULL}\t${line.denialReason ? text(line.denialReason.code) : NULL}\t` +
      `${remarks}\t${account}\t${line.submittedCptCode ?? NULL}\t${text(line.facilityType)}\t${text(line.payerIdentifier)}\t` +
      `${line.modifier ?? ""}\n`
    );
  }
}
