import type { TRowError } from "./row-error";
import { elementAt, type TX12Segment } from "./x12-tokenizer";

/**
 * Checks the ISA/GS/ST envelopes and hands back each 835 transaction set's body.
 *
 * What refuses the file (`errors`): a transaction set, group or interchange that is never
 * closed (the file is truncated: claims are missing), a trailer with no header, a transaction
 * set outside a group in an enveloped file (loops out of order), and no 835 at all.
 * What only warns: SE01/GE01/IEA01 counts and control numbers that disagree (payers get them
 * wrong; the content is intact), a missing envelope around a lone ST…SE, an 835 version other
 * than 005010X221A1. What is skipped: a non-835 transaction set, segments between sets.
 */

export type TX12TransactionSet = { st: TX12Segment; body: TX12Segment[]; version?: string };

export type TX12Envelopes = {
  transactionSets: TX12TransactionSet[];
  errors: TRowError[];
  warnings: TRowError[];
  skipped: TRowError[];
};

type TOpenInterchange = { isa: TX12Segment; groups: number };
type TOpenGroup = { gs: TX12Segment; transactions: number };
type TOpenTransaction = { st: TX12Segment; body: TX12Segment[]; version?: string };

export const IMPLEMENTATION_5010 = "005010X221A1";

export function splitTransactionSets(segments: readonly TX12Segment[], options: { bare?: boolean } = {}): TX12Envelopes {
  const transactionSets: TX12TransactionSet[] = [];
  const errors: TRowError[] = [];
  const warnings: TRowError[] = [];
  const skipped: TRowError[] = [];
  let interchange: TOpenInterchange | undefined;
  let group: TOpenGroup | undefined;
  let transaction: TOpenTransaction | undefined;
  const versionsWarned = new Set<string>();
  let outside = 0;

  const error = (segment: TX12Segment, field: string, message: string) => errors.push({ line: segment.index, field, message });
  const warn = (segment: TX12Segment, field: string, message: string) => warnings.push({ line: segment.index, field, message });
  const keep = (open: TOpenTransaction) => {
    if (elementAt(open.st, 1) === "835") transactionSets.push(open);
    else skipped.push({ line: open.st.index, field: "ST01", message: "transaction set is not an 835 remittance; skipped" });
  };
  const abandonTransaction = () => {
    if (!transaction) return;
    error(transaction.st, "SE", "transaction set is not closed: SE missing (truncated file?)");
    transaction = undefined;
  };
  const abandonGroup = () => {
    abandonTransaction();
    if (group) error(group.gs, "GE", "functional group is not closed: GE missing (truncated file?)");
    group = undefined;
  };
  const abandonInterchange = () => {
    abandonGroup();
    if (interchange) error(interchange.isa, "IEA", "interchange is not closed: IEA missing (truncated file?)");
    interchange = undefined;
  };
  if (options.bare && segments[0]) {
    warn(segments[0], "ISA", "no ISA/GS envelope: the transaction set was read with the default separators (* : ~)");
  }

  for (const segment of segments) {
    switch (segment.id) {
      case "ISA":
        abandonInterchange();
        interchange = { isa: segment, groups: 0 };
        break;
      case "GS": {
        abandonGroup();
        if (!interchange) error(segment, "GS", "GS outside an interchange (no ISA before it)");
        else interchange.groups += 1;
        group = { gs: segment, transactions: 0 };
        const version = elementAt(segment, 8);
        if (version !== IMPLEMENTATION_5010 && !versionsWarned.has(version)) {
          versionsWarned.add(version);
          const named = version ? `version ${version.slice(0, 20)}` : "no version (GS08 empty)";
          warn(segment, "GS08", `${named}, not ${IMPLEMENTATION_5010}: read with the 5010 rules for the fields Driftline uses`);
        }
        break;
      }
      case "ST":
        abandonTransaction();
        if (!group) {
          if (!options.bare) error(segment, "ST", "ST outside a functional group (no GS before it)");
        } else group.transactions += 1;
        transaction = { st: segment, body: [], version: group ? elementAt(group.gs, 8) : undefined };
        break;
      case "SE":
        if (!transaction) {
          error(segment, "SE", "SE without a matching ST");
          break;
        }
        // SE01 counts every segment of the set, ST and SE included.
        checkCount(segment, "SE01", transaction.body.length + 2, "segments", warn);
        checkControl(segment, "SE02", elementAt(transaction.st, 2), "ST02", warn);
        keep(transaction);
        transaction = undefined;
        break;
      case "GE":
        abandonTransaction();
        if (!group) {
          error(segment, "GE", "GE without a matching GS");
          break;
        }
        checkCount(segment, "GE01", group.transactions, "transaction sets", warn);
        checkControl(segment, "GE02", elementAt(group.gs, 6), "GS06", warn);
        group = undefined;
        break;
      case "IEA":
        abandonGroup();
        if (!interchange) {
          error(segment, "IEA", "IEA without a matching ISA");
          break;
        }
        checkCount(segment, "IEA01", interchange.groups, "functional groups", warn);
        checkControl(segment, "IEA02", elementAt(interchange.isa, 13), "ISA13", warn);
        interchange = undefined;
        break;
      default:
        if (transaction) transaction.body.push(segment);
        else if (outside++ === 0) skipped.push({ line: segment.index, field: "segment", message: "segments outside a transaction set (ST…SE) are ignored" });
    }
  }
  if (options.bare) {
    if (transaction) abandonTransaction();
  } else abandonInterchange();
  if (errors.length === 0 && transactionSets.length === 0) {
    errors.push({ line: 1, field: "ST01", message: "not an X12 835 file: it holds no 835 transaction set" });
  }
  return { transactionSets, errors, warnings, skipped };
}

type TReport = (segment: TX12Segment, field: string, message: string) => void;

function isDigits(text: string): boolean {
  if (text === "" || text.length > 20) return false;
  for (let position = 0; position < text.length; position += 1) {
    const code = text.charCodeAt(position);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

function checkCount(segment: TX12Segment, field: string, counted: number, what: string, report: TReport) {
  const declared = elementAt(segment, 1);
  if (!isDigits(declared) || Number(declared) !== counted) {
    report(segment, field, `${field} declares ${isDigits(declared) ? declared : "no"} ${what}, counted ${counted}`);
  }
}

function checkControl(segment: TX12Segment, field: string, expected: string, headerField: string, report: TReport) {
  const actual = elementAt(segment, 2);
  // Compared as numbers when both are numeric: "1" and "000000001" are the same control number.
  const same = isDigits(actual) && isDigits(expected) ? BigInt(actual) === BigInt(expected) : actual === expected;
  if (!same || actual === "") {
    // Control numbers are envelope metadata, not PHI, so quoting them is safe and helpful.
    report(segment, field, `${field} control number "${actual.slice(0, 20)}" does not match ${headerField} "${expected.slice(0, 20)}"`);
  }
}
