import type { TRowError } from "./row-error";

/**
 * Splits X12 text into segments. The separators are not fixed by the standard: every
 * interchange declares its own in the ISA segment, so they are re-read at each ISA.
 *
 * The tokenizer is fed text in chunks (`push`) and keeps only the unfinished segment in hand,
 * so the segment and element limits apply while the file is still being read, not after.
 * Every step is a plain character scan or indexOf from a remembered offset: no regular
 * expression ever runs over uploaded text of unbounded length, so time is linear in the input
 * whatever its shape (60,000 newlines inside one segment, a 60,000-digit amount).
 */

export type TX12Separators = { element: string; component: string; repetition?: string; segment: string };

/** `elements[0]` is the segment id, so `elements[1]` is e.g. CLP01. `index` is 1-based in the file. */
export type TX12Segment = { index: number; id: string; elements: string[]; separators: TX12Separators };

export type TX12Tokens = {
  segments: TX12Segment[];
  /** Why the file cannot be read as X12 at all (refuses the upload). */
  errors: TRowError[];
  /** True when the file starts at ST with no ISA/GS envelope; default separators were assumed. */
  bare: boolean;
};

export type TX12TokenLimits = { maxSegments: number; maxElements: number };

/** Raised as soon as a limit is passed; the caller turns it into a 413 naming the limit. */
export class X12LimitExceeded extends Error {
  constructor(
    readonly limit: "X12_MAX_SEGMENTS" | "X12_MAX_ELEMENTS",
    readonly max: number,
  ) {
    super(`the file has more than ${max} ${limit === "X12_MAX_SEGMENTS" ? "segments" : "elements"} (${limit})`);
  }
}

// ISA is fixed width: element separator at 3, repetition separator (ISA11) at 82,
// component separator (ISA16) at 104 and the segment terminator right after it.
const ISA_LENGTH = 106;
const ISA_ELEMENT_COUNT = 16;
// Past this many characters without the sixteenth ISA element the header is not an ISA.
const MAX_ISA_CHARS = 1024;
/** What a bare ST…SE file (no ISA to declare them) is read with. */
export const DEFAULT_SEPARATORS: TX12Separators = { element: "*", component: ":", segment: "~" };

const UNLIMITED: TX12TokenLimits = { maxSegments: Number.MAX_SAFE_INTEGER, maxElements: Number.MAX_SAFE_INTEGER };

export class X12Tokenizer {
  private readonly segments: TX12Segment[] = [];
  private readonly errors: TRowError[] = [];
  /** Text held while looking for an ISA header (at most MAX_ISA_CHARS past blanks). */
  private head = "";
  /** The unfinished segment, in pieces: joined once when its terminator arrives. */
  private pieces: string[] = [];
  private separators: TX12Separators | undefined;
  /** True at the start and after IEA: the next segment may be an ISA declaring new separators. */
  private atHeader = true;
  private started = false;
  private bare = false;
  private failed = false;
  private elementCount = 0;

  constructor(private readonly limits: TX12TokenLimits = UNLIMITED) {}

  push(chunk: string): void {
    if (this.failed || chunk === "") return;
    if (chunk.includes("\u0000")) return this.fail("file", "not a text file");
    this.feed(chunk, false);
  }

  end(): TX12Tokens {
    if (!this.failed) this.feed("", true);
    if (!this.failed && this.pieces.length > 0) {
      // An unterminated last segment is kept: a missing final terminator is common, and a
      // real truncation is caught by the envelope check (no SE/IEA) anyway.
      this.emit(this.pieces.join(""), this.separators!);
      this.pieces = [];
    }
    if (!this.failed && !this.started) this.fail("ISA", "empty file: an X12 835 file starts with ISA");
    return { segments: this.segments, errors: this.errors, bare: this.bare };
  }

  private fail(field: string, message: string) {
    this.failed = true;
    this.head = "";
    this.pieces = [];
    this.errors.push({ line: this.segments.length + 1, field, message });
  }

  private feed(chunk: string, final: boolean) {
    let text = chunk;
    while (!this.failed) {
      if (this.atHeader) {
        const rest = this.readHeader(text, final);
        if (rest === undefined) return;
        text = rest;
      }
      text = this.scan(text);
      if (text === "") return;
    }
  }

  /** Decides the separators once enough of the header is in hand; returns the text to scan. */
  private readHeader(text: string, final: boolean): string | undefined {
    this.head += text;
    const start = skipBlank(this.head, 0);
    const head = this.head.slice(start);
    if (head === "" || (head.length < 4 && !final)) {
      this.head = head;
      return undefined;
    }
    if (head.startsWith("ISA")) {
      const end = isaEnd(head);
      if (end === undefined && !final && head.length < MAX_ISA_CHARS) {
        this.head = head;
        return undefined;
      }
      const separators = end === undefined ? undefined : readSeparators(head, 0);
      if (!separators) {
        this.fail("ISA", "ISA segment is malformed: its separators cannot be read");
        return undefined;
      }
      this.separators = separators;
    } else if (!this.started) {
      // A transaction set sent without its envelope: read with the usual separators.
      if (!head.startsWith("ST") || !isSeparatorAfterId(head)) {
        this.fail("ISA", "not an X12 835 file: it starts with neither ISA nor ST");
        return undefined;
      }
      this.separators = DEFAULT_SEPARATORS;
      this.bare = true;
    }
    // Text after an IEA that is not a new ISA is read with the previous separators, so the
    // envelope check can point at it instead of it vanishing.
    this.started = true;
    this.atHeader = false;
    this.head = "";
    return head;
  }

  /** Emits every finished segment of `text`; returns what follows an IEA (to re-read a header). */
  private scan(text: string): string {
    const terminator = this.separators!.segment;
    let from = 0;
    for (;;) {
      const end = text.indexOf(terminator, from);
      if (end === -1) {
        if (from < text.length) this.pieces.push(from === 0 ? text : text.slice(from));
        return "";
      }
      const part = text.slice(from, end);
      const raw = this.pieces.length === 0 ? part : this.pieces.join("") + part;
      this.pieces = [];
      from = end + terminator.length;
      const id = this.emit(raw, this.separators!);
      if (id === "IEA") {
        this.atHeader = true;
        return text.slice(from);
      }
    }
  }

  private emit(raw: string, separators: TX12Separators): string | undefined {
    const body = raw.trim();
    if (body === "") return undefined;
    const elements = body.split(separators.element);
    for (let position = 0; position < elements.length; position += 1) elements[position] = elements[position]!.trim();
    this.elementCount += elements.length - 1;
    if (this.segments.length >= this.limits.maxSegments) throw new X12LimitExceeded("X12_MAX_SEGMENTS", this.limits.maxSegments);
    if (this.elementCount > this.limits.maxElements) throw new X12LimitExceeded("X12_MAX_ELEMENTS", this.limits.maxElements);
    const id = elements[0] ?? "";
    this.segments.push({ index: this.segments.length + 1, id, elements, separators });
    return id;
  }
}

/** The whole text at once (tests and small callers). */
export function tokenizeX12(text: string, limits?: TX12TokenLimits): TX12Tokens {
  const tokenizer = new X12Tokenizer(limits);
  tokenizer.push(text);
  return tokenizer.end();
}

/** A segment id: a capital letter then one or two capitals or digits (checked without a regex). */
export function isSegmentId(id: string): boolean {
  if (id.length < 2 || id.length > 3) return false;
  for (let position = 0; position < id.length; position += 1) {
    const code = id.charCodeAt(position);
    const upper = code >= 65 && code <= 90;
    const digit = code >= 48 && code <= 57;
    if (!(upper || (position > 0 && digit))) return false;
  }
  return true;
}

function isSeparatorAfterId(text: string): boolean {
  const next = text[2];
  return next !== undefined && !isAlphanumericOrSpace(next);
}

/** Offset just past the ISA segment terminator, or undefined when the text does not hold it yet. */
function isaEnd(text: string): number | undefined {
  const element = text[3];
  if (element === undefined) return undefined;
  let cursor = 3;
  for (let count = 1; count < ISA_ELEMENT_COUNT; count += 1) {
    cursor = text.indexOf(element, cursor + 1);
    if (cursor === -1 || cursor > MAX_ISA_CHARS) return undefined;
  }
  return cursor + 3 <= text.length ? cursor + 3 : undefined;
}

/** Separators from the ISA at `start`, or undefined when they are unusable. */
export function readSeparators(text: string, start: number): TX12Separators | undefined {
  const element = text[start + 3];
  if (element === undefined) return undefined;
  const fixed = text.slice(start, start + ISA_LENGTH);
  const parts = fixed.split(element);
  let component: string | undefined;
  let segment: string | undefined;
  let repetition: string | undefined;
  if (fixed.length === ISA_LENGTH && parts.length === ISA_ELEMENT_COUNT + 1 && parts[ISA_ELEMENT_COUNT]?.length === 2) {
    component = fixed[104];
    segment = fixed[105];
    // ISA11 by position among the elements: senders that pad one field short and another one
    // long still total 106 characters, with something else at offset 82.
    repetition = parts[11];
  } else {
    // Some senders strip ISA padding; the sixteenth element is still one character wide.
    let cursor = start;
    for (let count = 0; count < ISA_ELEMENT_COUNT && cursor !== -1; count += 1) {
      cursor = text.indexOf(element, cursor + 1);
      if (cursor - start > MAX_ISA_CHARS) return undefined;
    }
    if (cursor === -1) return undefined;
    component = text[cursor + 1];
    segment = text[cursor + 2];
    repetition = text.slice(start, cursor).split(element)[11];
  }
  // Before 5010, ISA11 was a standards id ("U"), not a repetition separator.
  if (repetition !== undefined && (repetition.length !== 1 || isAlphanumericOrSpace(repetition) || isBlank(repetition))) repetition = undefined;
  // The 835 fields Driftline reads never repeat, so a clashing ISA11 is ignored, not fatal.
  if (repetition !== undefined && [element, component, segment].includes(repetition)) repetition = undefined;
  if (component === undefined || segment === undefined) return undefined;
  const used = [element, component, segment, ...(repetition ? [repetition] : [])];
  if (new Set(used).size !== used.length) return undefined;
  if (used.some((separator) => isAlphanumericOrSpace(separator))) return undefined;
  return { element, component, repetition, segment };
}

/** The nth data element (CLP01 = 1), trimmed; "" when absent. */
export function elementAt(segment: TX12Segment, position: number): string {
  return segment.elements[position] ?? "";
}

/** The components of a composite element such as SVC01 ("HC:99213:25"). */
export function componentsAt(segment: TX12Segment, position: number): string[] {
  return elementAt(segment, position)
    .split(segment.separators.component)
    .map((component) => component.trim());
}

function isAlphanumericOrSpace(character: string): boolean {
  const code = character.charCodeAt(0);
  return character === " " || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isBlank(character: string): boolean {
  return character === " " || character === "\t" || character === "\r" || character === "\n" || character === "\uFEFF";
}

function skipBlank(text: string, position: number): number {
  let cursor = position;
  // \uFEFF: a byte-order mark left by editors on Windows.
  while (cursor < text.length && (isBlank(text[cursor]!) || text[cursor] === "\f" || text[cursor] === "\v")) cursor += 1;
  return cursor;
}
