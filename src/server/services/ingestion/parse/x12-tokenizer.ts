import type { TRowError } from "./row-error";

/**
 * Splits X12 text into segments. The separators are not fixed by the standard: every
 * interchange declares its own in the ISA segment, so they are re-read at each ISA.
 */

export type TX12Separators = { element: string; component: string; repetition?: string; segment: string };

/** `elements[0]` is the segment id, so `elements[1]` is e.g. CLP01. `index` is 1-based in the file. */
export type TX12Segment = { index: number; id: string; elements: string[]; separators: TX12Separators };

export type TX12Tokens = { segments: TX12Segment[]; errors: TRowError[] };

// ISA is fixed width: element separator at 3, repetition separator (ISA11) at 82,
// component separator (ISA16) at 104 and the segment terminator right after it.
const ISA_LENGTH = 106;
const ISA_ELEMENT_COUNT = 16;
const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;

export function tokenizeX12(text: string): TX12Tokens {
  const segments: TX12Segment[] = [];
  const errors: TRowError[] = [];
  if (text.includes("\u0000")) {
    return { segments, errors: [{ line: 1, field: "file", message: "not a text file" }] };
  }
  let position = skipBlank(text, 0);
  if (text.slice(position, position + 3) !== "ISA") {
    errors.push({ line: 1, field: "ISA", message: "missing ISA segment: an X12 835 file starts with ISA" });
    return { segments, errors };
  }
  let separators: TX12Separators | undefined;
  while (position < text.length) {
    // Text after an IEA that is not a new ISA is read with the previous separators, so the
    // envelope check can point at it instead of it vanishing.
    if (text.startsWith("ISA", position) || !separators) {
      separators = readSeparators(text, position);
      if (!separators) {
        errors.push({ line: segments.length + 1, field: "ISA", message: "ISA segment is malformed: its separators cannot be read" });
        break;
      }
    }
    position = skipBlank(text, readInterchange(text, position, separators, segments, errors));
  }
  return { segments, errors };
}

/** Reads segments until IEA (or the end); returns where the next interchange may start. */
function readInterchange(
  text: string,
  start: number,
  separators: TX12Separators,
  segments: TX12Segment[],
  errors: TRowError[],
): number {
  let position = start;
  while (position < text.length) {
    const end = text.indexOf(separators.segment, position);
    // An unterminated last segment is kept: a missing final newline is common, and a real
    // truncation is caught by the envelope check (no IEA/SE) anyway.
    const raw = end === -1 ? text.slice(position) : text.slice(position, end);
    position = end === -1 ? text.length : end + separators.segment.length;
    const body = raw.replace(/^[\s]+/, "").replace(/[\r\n]+$/, "");
    if (body === "") continue;
    const elements = body.split(separators.element).map((element) => element.trim());
    const id = elements[0] ?? "";
    const segment = { index: segments.length + 1, id, elements, separators };
    segments.push(segment);
    if (!SEGMENT_ID.test(id)) {
      errors.push({ line: segment.index, field: "segment", message: "not an X12 segment (bad segment id)" });
    }
    if (id === "IEA") break;
  }
  return position;
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
    repetition = fixed[82];
  } else {
    // Some senders strip ISA padding; the sixteenth element is still one character wide.
    let cursor = start;
    for (let count = 0; count < ISA_ELEMENT_COUNT && cursor !== -1; count += 1) {
      cursor = text.indexOf(element, cursor + 1);
    }
    if (cursor === -1) return undefined;
    component = text[cursor + 1];
    segment = text[cursor + 2];
    repetition = text.slice(start, cursor).split(element)[11];
  }
  // Before 5010, ISA11 was a standards id ("U"), not a repetition separator.
  if (repetition !== undefined && (repetition.length !== 1 || /[A-Za-z0-9\s]/.test(repetition))) repetition = undefined;
  if (component === undefined || segment === undefined) return undefined;
  const used = [element, component, segment, ...(repetition ? [repetition] : [])];
  if (new Set(used).size !== used.length) return undefined;
  if (used.some((separator) => /[A-Za-z0-9 ]/.test(separator))) return undefined;
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

function skipBlank(text: string, position: number): number {
  let cursor = position;
  // \uFEFF: a byte-order mark left by editors on Windows.
  while (cursor < text.length && /[\s\uFEFF]/.test(text[cursor] ?? "")) cursor += 1;
  return cursor;
}
