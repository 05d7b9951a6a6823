import { Readable } from "node:stream";
import { parse as createCsvParser, type CsvError, type Options } from "csv-parse";
import { parse as parseCsvSync } from "csv-parse/sync";

/**
 * CSV text -> records, each with the line it starts on, exactly as csv-parse with the options
 * below reads them, but faster for the common case. Most lines of a claims export hold no quote:
 * such a line is split on commas and its cells trimmed by hand (csv-parse's `trim` removes what
 * String.prototype.trim removes). A line with a quote (and the lines a quoted value spans) goes
 * through csv-parse itself; and anything odd for the splitter — a stray CR or LF that is not the
 * file's line break, a quote on the first line, an overlong line, a quoted value that does not
 * close or has a syntax error — hands the rest of the file, from the start of that record, to
 * streaming csv-parse. A property test (csv-records.test.ts) checks record for record, line for
 * line and error for error that the result is what csv-parse alone gives.
 */

export interface TCsvRecord {
  cells: string[];
  /** The line the record starts on (a quoted value can span lines). */
  line: number;
}

export interface TCsvSyntaxError {
  line: number;
  error: CsvError;
}

/** What the caller reads after (or while) iterating: errors in line order, and lines read so far. */
export interface TCsvReadState {
  syntaxErrors: TCsvSyntaxError[];
  /** csv-parse's `info.lines` at the end: the last line read. */
  lines: number;
}

const BASE_OPTIONS = {
  trim: true,
  skip_empty_lines: true,
  relax_column_count: true,
  info: true,
  raw: true,
  skip_records_with_error: true,
} satisfies Options;

type TParsed = { record: string[]; raw: string; info: { lines: number } };

/** csv-parse reports the line a record ends on; a quoted multi-line cell starts earlier. */
function startLine(item: TParsed): number {
  const body = item.raw.replace(/^(?:\r\n|\r|\n)+/, "").replace(/(?:\r\n|\r|\n)$/, "");
  const innerBreaks = body.match(/\r\n|\r|\n/g)?.length ?? 0;
  return Math.max(1, item.info.lines - innerBreaks);
}

/**
 * Streaming csv-parse over `text`, as if it continued a file at `lineOffset` lines in, with the
 * file's record delimiter when already known (else discovered, as at the start of a file).
 */
export async function* csvParseRecords(
  text: AsyncIterable<string>,
  state: TCsvReadState,
  options: { maxRecordChars: number; lineOffset?: number; recordDelimiter?: string; bom?: boolean },
): AsyncGenerator<TCsvRecord> {
  const offset = options.lineOffset ?? 0;
  const parser = createCsvParser({
    ...BASE_OPTIONS,
    bom: options.bom ?? true,
    max_record_size: options.maxRecordChars,
    ...(options.recordDelimiter ? { record_delimiter: options.recordDelimiter } : {}),
    on_skip: (error) => {
      if (!error) return undefined;
      const line = typeof error.lines === "number" ? error.lines : parser.info.lines;
      state.syntaxErrors.push({ line: line + offset, error });
      return undefined;
    },
  });
  const input = Readable.from(text);
  input.on("error", (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<TParsed>) {
      state.lines = parser.info.lines + offset;
      yield { cells: item.record, line: startLine(item) + offset };
    }
    state.lines = parser.info.lines + offset;
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/** The lines of a chunked text, split on `delimiter`; the last one may lack it. */
class LineBuffer {
  private buffer = "";
  private position = 0;
  constructor(readonly delimiter: string) {}
  push(text: string) {
    this.buffer = this.position < this.buffer.length ? this.buffer.slice(this.position) + text : text;
    this.position = 0;
  }
  /** The next complete line (without its delimiter), or undefined until more text arrives. */
  next(): string | undefined {
    const end = this.buffer.indexOf(this.delimiter, this.position);
    if (end < 0) return undefined;
    const line = this.buffer.slice(this.position, end);
    this.position = end + this.delimiter.length;
    return line;
  }
  /** Whatever is left (the unterminated last line, or unread lines when handing over). */
  rest(): string {
    const rest = this.buffer.slice(this.position);
    this.buffer = "";
    this.position = 0;
    return rest;
  }
}

function countQuotes(line: string): number {
  let count = 0;
  for (let index = line.indexOf('"'); index >= 0; index = line.indexOf('"', index + 1)) count += 1;
  return count;
}

/** Records of a CSV text, fast for quote-free lines; see the top of this file. */
export async function* csvRecords(source: AsyncIterable<string>, state: TCsvReadState, options: { maxRecordChars: number }): AsyncGenerator<TCsvRecord> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    yield* splitRecords(iterator, state, options);
  } finally {
    // The caller may stop early (a broken header): release the source.
    await iterator.return?.();
  }
}

async function* splitRecords(iterator: AsyncIterator<string>, state: TCsvReadState, options: { maxRecordChars: number }): AsyncGenerator<TCsvRecord> {
  const { maxRecordChars } = options;
  // Up to the first line break: csv-parse fixes the file's record delimiter there.
  let head = "";
  let done = false;
  let first = true;
  while (!done) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head += first && next.value.startsWith("\uFEFF") ? next.value.slice(1) : next.value;
    if (next.value !== "") first = false;
    const breakAt = head.search(/[\r\n]/);
    // A CR at the very end may be the first half of CRLF: wait for the next chunk.
    if (breakAt >= 0 && !(head[breakAt] === "\r" && breakAt === head.length - 1)) break;
    if (head.length > maxRecordChars) break;
  }
  const remaining = async function* (): AsyncGenerator<string> {
    while (true) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  };
  const handOver = (text: string, lineOffset: number, recordDelimiter?: string) =>
    csvParseRecords(
      (async function* () {
        if (text !== "") yield text;
        if (!done) yield* remaining();
      })(),
      state,
      { maxRecordChars, lineOffset, recordDelimiter, bom: false },
    );

  const breakAt = head.search(/[\r\n]/);
  const delimiter = breakAt < 0 ? undefined : head.startsWith("\r\n", breakAt) ? "\r\n" : head[breakAt] === "\n" ? "\n" : "\r";
  if (delimiter === undefined || delimiter === "\r" || head.slice(0, breakAt).includes('"')) {
    // One line so far, old Mac line breaks, or a quoted header: csv-parse reads it all.
    yield* handOver(head, 0);
    return;
  }
  // Split on the file's line break, any other CR or LF left in a line is for csv-parse to count.
  const hasStray = (line: string) => line.includes("\r") || line.includes("\n");
  const lines = new LineBuffer(delimiter);
  lines.push(head);
  // The last line the whole-file csv-parse would have counted: lines consumed so far.
  let lineNumber = 0;
  state.lines = 1;
  // Lines csv-parse skips as empty still count in the `raw` of the record after them, and from
  // the first blank-but-not-empty one on, their breaks move that record's reported start line
  // back: kept here so every record reports the line csv-parse reports.
  let skipped = { text: "", lines: 0, counted: 0, blank: false };
  const emitted = () => (skipped = { text: "", lines: 0, counted: 0, blank: false });
  const maxFastChars = Math.floor(maxRecordChars / 4);
  let atEnd = false;
  const nextLine = async (): Promise<string | undefined> => {
    while (true) {
      const line = lines.next();
      if (line !== undefined) return line;
      if (done) {
        if (atEnd) return undefined;
        atEnd = true;
        const last = lines.rest();
        return last === "" ? undefined : last;
      }
      const next = await iterator.next();
      if (next.done) done = true;
      else lines.push(next.value);
    }
  };
  const terminated = (line: string, isLast: boolean) => (isLast ? line : line + delimiter);

  for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
    const isLast = atEnd;
    if (hasStray(line) || (line.length > maxFastChars && !line.includes('"'))) {
      yield* handOver(skipped.text + terminated(line, isLast) + lines.rest(), lineNumber - skipped.lines, delimiter);
      return;
    }
    if (!line.includes('"')) {
      lineNumber += 1;
      // csv-parse counts a line break as the start of the next line, even at the very end.
      state.lines = isLast ? lineNumber : lineNumber + 1;
      const cells = line === "" ? [""] : line.split(",");
      for (let index = 0; index < cells.length; index += 1) cells[index] = cells[index]!.trim();
      // A line of blanks only is an empty line to csv-parse (trim leaves it no field).
      if (cells.length === 1 && cells[0] === "") {
        if (line !== "") skipped.blank = true;
        skipped.text += terminated(line, isLast);
        skipped.lines += 1;
        if (skipped.blank) skipped.counted += 1;
        continue;
      }
      yield { cells, line: lineNumber - skipped.counted };
      if (skipped.lines > 0) emitted();
      continue;
    }
    // A quoted value: csv-parse reads the lines it spans (an odd count of quotes so far means
    // one is still open; escaped quotes come in pairs).
    let block = terminated(line, isLast);
    let quotes = countQuotes(line);
    let blockLines = 1;
    let blockIsLast = isLast;
    while (quotes % 2 === 1 && block.length <= maxRecordChars) {
      const more = await nextLine();
      if (more === undefined) break;
      blockIsLast = atEnd;
      if (hasStray(more)) {
        block += terminated(more, blockIsLast);
        quotes = -1;
        break;
      }
      block += terminated(more, blockIsLast);
      quotes += countQuotes(more);
      blockLines += 1;
    }
    if (quotes % 2 !== 0 || block.length > maxRecordChars) {
      yield* handOver(skipped.text + block + lines.rest(), lineNumber - skipped.lines, delimiter);
      return;
    }
    const errors: unknown[] = [];
    let parsed: TParsed[] = [];
    try {
      parsed = parseCsvSync(block, {
        ...BASE_OPTIONS,
        bom: false,
        max_record_size: maxRecordChars,
        record_delimiter: delimiter,
        on_skip: (error) => {
          if (error) errors.push(error);
          return undefined;
        },
      }) as unknown as TParsed[];
    } catch (error) {
      errors.push(error);
    }
    if (errors.length > 0) {
      yield* handOver(skipped.text + block + lines.rest(), lineNumber - skipped.lines, delimiter);
      return;
    }
    for (const [index, item] of parsed.entries()) yield { cells: item.record, line: startLine(item) + lineNumber - (index === 0 ? skipped.counted : 0) };
    emitted();
    // The block's lines as csv-parse counts them (a CRLF inside quotes counts twice there).
    lineNumber += parsed.at(-1)?.info.lines ?? blockLines;
    state.lines = blockIsLast ? lineNumber : lineNumber + 1;
  }
}
