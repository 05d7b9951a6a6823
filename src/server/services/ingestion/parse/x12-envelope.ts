import type { TRowError } from "./row-error";
import { elementAt, type TX12Segment } from "./x12-tokenizer";

/**
 * Checks the ISA/GS/ST envelopes and hands back each 835 transaction set's body. Counts and
 * control numbers are what reveal a truncated or spliced file, which would otherwise parse
 * "successfully" with claims missing.
 */

export type TX12TransactionSet = { st: TX12Segment; body: TX12Segment[] };

type TOpenInterchange = { isa: TX12Segment; groups: number };
type TOpenGroup = { gs: TX12Segment; transactions: number };
type TOpenTransaction = { st: TX12Segment; body: TX12Segment[] };

export function splitTransactionSets(segments: readonly TX12Segment[]): {
  transactionSets: TX12TransactionSet[];
  errors: TRowError[];
} {
  const transactionSets: TX12TransactionSet[] = [];
  const errors: TRowError[] = [];
  let interchange: TOpenInterchange | undefined;
  let group: TOpenGroup | undefined;
  let transaction: TOpenTransaction | undefined;

  const error = (segment: TX12Segment, field: string, message: string) =>
    errors.push({ line: segment.index, field, message });
  const keep = (open: TOpenTransaction) => {
    if (elementAt(open.st, 1) === "835") transactionSets.push(open);
    else error(open.st, "ST01", "transaction set is not an 835 remittance");
  };
  const abandonTransaction = () => {
    if (!transaction) return;
    error(transaction.st, "SE", "transaction set is not closed: SE missing (truncated file?)");
    keep(transaction); // its claims are still read so their own errors show too
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

  for (const segment of segments) {
    switch (segment.id) {
      case "ISA":
        abandonInterchange();
        interchange = { isa: segment, groups: 0 };
        break;
      case "GS":
        abandonGroup();
        if (!interchange) error(segment, "GS", "GS outside an interchange (no ISA before it)");
        else interchange.groups += 1;
        group = { gs: segment, transactions: 0 };
        break;
      case "ST":
        abandonTransaction();
        if (!group) error(segment, "ST", "ST outside a functional group (no GS before it)");
        else group.transactions += 1;
        transaction = { st: segment, body: [] };
        break;
      case "SE":
        if (!transaction) {
          error(segment, "SE", "SE without a matching ST");
          break;
        }
        // SE01 counts every segment of the set, ST and SE included.
        checkCount(segment, "SE01", transaction.body.length + 2, "segments", error);
        checkControl(segment, "SE02", elementAt(transaction.st, 2), "ST02", error);
        keep(transaction);
        transaction = undefined;
        break;
      case "GE":
        abandonTransaction();
        if (!group) {
          error(segment, "GE", "GE without a matching GS");
          break;
        }
        checkCount(segment, "GE01", group.transactions, "transaction sets", error);
        checkControl(segment, "GE02", elementAt(group.gs, 6), "GS06", error);
        group = undefined;
        break;
      case "IEA":
        abandonGroup();
        if (!interchange) {
          error(segment, "IEA", "IEA without a matching ISA");
          break;
        }
        checkCount(segment, "IEA01", interchange.groups, "functional groups", error);
        checkControl(segment, "IEA02", elementAt(interchange.isa, 13), "ISA13", error);
        interchange = undefined;
        break;
      default:
        if (transaction) transaction.body.push(segment);
        else error(segment, segment.id || "segment", "segment outside a transaction set (ST…SE)");
    }
  }
  abandonInterchange();
  return { transactionSets, errors };
}

type TReport = (segment: TX12Segment, field: string, message: string) => void;

function checkCount(segment: TX12Segment, field: string, counted: number, what: string, report: TReport) {
  const declared = elementAt(segment, 1);
  if (!/^\d+$/.test(declared) || Number(declared) !== counted) {
    report(segment, field, `${field} declares ${declared || "no"} ${what}, counted ${counted}`);
  }
}

function checkControl(segment: TX12Segment, field: string, expected: string, headerField: string, report: TReport) {
  const actual = elementAt(segment, 2);
  // Compared as numbers when both are numeric: "1" and "000000001" are the same control number.
  const same = /^\d+$/.test(actual) && /^\d+$/.test(expected) ? BigInt(actual) === BigInt(expected) : actual === expected;
  if (!same || actual === "") {
    // Control numbers are envelope metadata, not PHI, so quoting them is safe and helpful.
    report(segment, field, `${field} control number "${actual}" does not match ${headerField} "${expected}"`);
  }
}
