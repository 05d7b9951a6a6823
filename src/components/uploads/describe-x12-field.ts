/**
 * Plain words for the segment/field an upload problem points at ("SVC01", "DTM*472", "PLB03"),
 * so a billing clerk reads "Service line: procedure code" while the code stays next to it for
 * the call with the clearinghouse. Field names come from our own parser, never from the file.
 */

const SEGMENTS: Record<string, string> = {
  ISA: "Interchange envelope",
  IEA: "Interchange envelope end",
  GS: "Functional group",
  GE: "Functional group end",
  ST: "Remittance start",
  SE: "Remittance end",
  BPR: "Payment",
  TRN: "Check or EFT trace number",
  CUR: "Currency",
  REF: "Reference number",
  DTM: "Date",
  N1: "Payer or payee",
  N3: "Address",
  N4: "City, state and ZIP",
  PER: "Payer contact",
  LX: "Claim group",
  TS3: "Provider summary",
  TS2: "Provider summary",
  CLP: "Claim",
  CAS: "Adjustment",
  NM1: "Patient or provider name",
  MIA: "Inpatient remarks",
  MOA: "Outpatient remarks",
  AMT: "Amount",
  QTY: "Quantity",
  SVC: "Service line",
  LQ: "Remark code",
  PLB: "Provider-level adjustment",
  RDM: "Remittance delivery",
};

const ELEMENTS: Record<string, string> = {
  CLP01: "claim number",
  CLP02: "claim status",
  CLP03: "billed amount",
  CLP04: "paid amount",
  CLP05: "patient responsibility",
  CLP07: "payer claim number",
  CLP08: "facility type",
  SVC01: "procedure code",
  "SVC01-3": "procedure modifier",
  SVC02: "billed amount",
  SVC03: "paid amount",
  SVC05: "units",
  SVC06: "procedure as submitted",
  CAS01: "adjustment group",
  CAS02: "adjustment reason",
  CAS03: "adjustment amount",
  "DTM*472": "service date",
  "DTM*150": "service start date",
  "DTM*151": "service end date",
  "DTM*050": "date received",
  "DTM*405": "production date",
  "DTM*232": "claim start date",
  "DTM*233": "claim end date",
  BPR02: "payment amount",
  BPR16: "payment date",
  N102: "name",
  N104: "identifier",
  "REF*2U": "payer identifier",
  LQ02: "remark code",
  PLB01: "provider identifier",
  PLB02: "fiscal period date",
  SE01: "segment count",
  SE02: "control number",
  GE01: "remittance count",
  GE02: "control number",
  IEA01: "group count",
  IEA02: "control number",
  GS08: "X12 version",
  ST03: "X12 version",
};

export type TFieldDescription = { what: string; code: string | null };

export function describeX12Field(field: string): TFieldDescription {
  if (field === "file") return { what: "The whole file", code: null };
  if (field === "segment") return { what: "A segment", code: null };
  // "DTM*472": segment and qualifier; "SVC01", "N104": segment id and a two-digit position.
  // "SVC01-3": a component of a composite element.
  const qualified = /^([A-Z][A-Z0-9]{1,2})\*/.exec(field);
  const component = /^([A-Z][A-Z0-9]{1,2})\d{2}-\d{1,2}$/.exec(field);
  const numbered = /^[A-Z][A-Z0-9]{1,2}\d{2}$/.test(field);
  const segmentId = qualified?.[1] ?? component?.[1] ?? (numbered ? field.slice(0, -2) : field);
  const segment = SEGMENTS[segmentId];
  let element = ELEMENTS[field];
  if (!element && segmentId === "PLB" && numbered) {
    const position = Number(field.slice(-2));
    element = position > 14 ? "more than six adjustments" : position % 2 === 1 ? "adjustment reason" : "adjustment amount";
  }
  if (segment && element) return { what: `${segment}: ${element}`, code: field };
  if (segment) return { what: segment, code: field };
  return { what: field, code: null };
}
