import { CsvError, type Options, parse } from "csv-parse/sync";
import { ConnectorError } from "./connector-error.ts";

/** A vendor's CSV conventions beyond RFC 4180. */
interface CsvDialect {
  /** An unquoted cell with exactly this text is null too (Marketo bulk files write `null`). */
  readonly nullText?: string;
  /**
   * Every empty cell is null, quoted or not (Salesforce Bulk 2.0: "empty cells mean null"). No cell then needs
   * its quoting, so the page is parsed without csv-parse's per-cell `cast`, whose context object costs ~10×
   * the parse itself (10,000 rows × 20 columns: 3.4 s against 0.4 s on the shared test machine, all of it
   * blocking the event loop).
   */
  readonly emptyIsNull?: boolean;
}

/** One parsed row: an unquoted empty cell (or the dialect's null text) is null, a quoted empty cell is "". */
export type CsvRow = (string | null)[];

/**
 * csv-parse with the vendors' quirks (sources.md §1.2, §3.4): a UTF-8 BOM skipped, LF or CRLF row ends,
 * quoted cells with doubled quotes and line breaks, stray quotes inside unquoted cells kept, rows of any
 * length (a short row is the caller's to reject). No per-cell `cast`: its context object costs ~10× the parse
 * itself, all of it blocking the event loop; NUL bytes and empty-vs-null are settled per row afterwards
 * (`settleRow`).
 */
function options(bom: boolean): Options {
  return { bom, record_delimiter: ["\r\n", "\n"], relax_quotes: true, relax_column_count: true };
}

/** The reference reading of one row (csv-parse's own `cast`), for a row `quotedCells` cannot follow. */
function castOptions(dialect: CsvDialect): Options {
  return {
    ...options(false),
    cast: (value, context) => {
      const v = value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
      return !context.quoting && (v === "" || v === dialect.nullText) ? null : v;
    },
  };
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;

/**
 * Which cells of the row in `buf[start, end)` were quoted, as csv-parse reads them: a cell is quoted when it
 * starts with a quote (a quote later in a cell is text, relax_quotes), and then ends at the quote not doubled.
 * Undefined when the walk does not find `count` cells, so the caller never guesses.
 */
function quotedCells(buf: Buffer, start: number, end: number, count: number): boolean[] | undefined {
  const quoted: boolean[] = [];
  let p = start;
  for (;;) {
    if (buf[p] === QUOTE && p < end) {
      quoted.push(true);
      let q = p + 1;
      for (;;) {
        q = buf.indexOf(QUOTE, q);
        if (q < 0 || q >= end) return undefined;
        if (q + 1 < end && buf[q + 1] === QUOTE) q += 2;
        else break;
      }
      p = q + 1;
    } else {
      quoted.push(false);
      while (p < end && buf[p] !== COMMA && buf[p] !== LF) p++;
    }
    if (p < end && buf[p] === COMMA) p++;
    else break;
  }
  return quoted.length === count ? quoted : undefined;
}

/** Where the next byte `byte` at or after `from` is (`buf.length` for none), found once per stretch. */
class NextByte {
  #at = -1;
  constructor(
    private readonly buf: Buffer,
    private readonly byte: number,
  ) {}
  /** Whether `buf[from, end)` holds the byte; calls come with `from` never decreasing. */
  within(from: number, end: number): boolean {
    if (this.#at < from) {
      const i = this.buf.indexOf(this.byte, from);
      this.#at = i < 0 ? this.buf.length : i;
    }
    return this.#at < end;
  }
}

/**
 * Gives the row csv-parse read from `buf[start, end)` its dialect: NUL bytes dropped, and an unquoted empty cell
 * or unquoted `nullText` made null (a quoted one stays text). Quoting is looked at only for a row holding both a
 * quote and such a cell; a row without a quote has no quoted cell.
 */
function settleRow(
  cells: CsvRow,
  buf: Buffer,
  start: number,
  end: number,
  dialect: CsvDialect,
  nul: NextByte,
  quote: NextByte,
): CsvRow {
  if (nul.within(start, end)) {
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i] as string;
      if (v.includes("\u0000")) cells[i] = v.replaceAll("\u0000", "");
    }
  }
  const nullText = dialect.nullText;
  let candidates = false;
  for (let i = 0; i < cells.length; i++) {
    if (cells[i] === "" || cells[i] === nullText) {
      candidates = true;
      break;
    }
  }
  if (!candidates) return cells;
  if (!quote.within(start, end)) {
    for (let i = 0; i < cells.length; i++) if (cells[i] === "" || cells[i] === nullText) cells[i] = null;
    return cells;
  }
  const quoted = quotedCells(buf, start, end, cells.length);
  if (quoted === undefined) return parse(buf.subarray(start, end), castOptions(dialect))[0] as CsvRow;
  for (let i = 0; i < cells.length; i++) {
    if (!quoted[i] && (cells[i] === "" || cells[i] === nullText)) cells[i] = null;
  }
  return cells;
}

/**
 * Rows of `buf` (csv-parse without `cast`) into `found`, each with the byte offset just past its row end; the
 * rows read before an error stay in `found`.
 */
function parseRows(
  found: { cells: CsvRow; end: number }[],
  buf: Buffer,
  bom: boolean,
  maxRows?: number,
): void {
  parse(buf, {
    ...options(bom),
    ...(maxRows === undefined ? {} : { to: maxRows }),
    on_record: (cells: CsvRow, info) => {
      found.push({ cells, end: info.bytes });
      return null;
    },
  });
}

/** Settles each of `found` (rows of `buf` from its start, a BOM there when `bom`) in place. */
function settleRows(
  found: { cells: CsvRow; end: number }[],
  buf: Buffer,
  bom: boolean,
  dialect: CsvDialect,
): void {
  const nul = new NextByte(buf, 0);
  const quote = new NextByte(buf, QUOTE);
  let start = bom && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  for (const f of found) {
    f.cells = settleRow(f.cells, buf, start, f.end, dialect, nul, quote);
    start = f.end;
  }
}

function malformed(e: unknown): ConnectorError {
  const why = e instanceof CsvError ? `${e.code}: ${e.message}` : String(e);
  return new ConnectorError("bug", `the source sent malformed CSV (${why.slice(0, 200)})`, { cause: e });
}

/** A whole CSV answer (one page of Salesforce Bulk 2.0 results): its header and its rows. */
export function parseCsvPage(text: string, dialect: CsvDialect = {}): { header: string[]; rows: CsvRow[] } {
  let rows: CsvRow[];
  try {
    if (dialect.emptyIsNull && dialect.nullText === undefined) {
      const clean = text.includes("\u0000") ? text.replaceAll("\u0000", "") : text;
      rows = parse(clean, options(true)) as CsvRow[];
      for (const row of rows) {
        for (let i = 0; i < row.length; i++) if (row[i] === "") row[i] = null;
      }
    } else {
      const buf = Buffer.from(text, "utf8");
      const found: { cells: CsvRow; end: number }[] = [];
      parseRows(found, buf, true);
      settleRows(found, buf, true, dialect);
      rows = found.map((f) => f.cells);
    }
  } catch (e) {
    throw malformed(e);
  }
  const header = (rows.shift() ?? []).map((h) => h ?? "");
  return { header, rows };
}

/** Complete rows from the start of a chunk of a CSV file, and the bytes they (with their row ends) use. */
interface CsvChunkRows {
  readonly rows: CsvRow[];
  readonly bytes: number;
}

/**
 * Parses up to `maxRows` complete rows from the start of `chunk`, a byte range of a larger file (Marketo's
 * bulk export read by Range): a row counts only when its row end is in the chunk, or when `final` says the
 * chunk ends the file, so a row cut by the range is left for the next chunk. `first`: the chunk starts the
 * file (a BOM is skipped there only).
 */
export function parseCsvChunk(
  chunk: Buffer,
  maxRows: number,
  at: { readonly first: boolean; readonly final: boolean },
  dialect: CsvDialect = {},
): CsvChunkRows {
  const found: { cells: CsvRow; end: number }[] = [];
  try {
    parseRows(found, chunk, at.first, maxRows);
  } catch (e) {
    // A chunk that ends inside a quoted cell: that row continues in a later chunk.
    if (at.final || !(e instanceof CsvError && e.code === "CSV_QUOTE_NOT_CLOSED")) throw malformed(e);
  }
  const last = found[found.length - 1];
  if (!at.final && last && chunk[last.end - 1] !== 0x0a) found.pop(); // cut by the range: not complete
  try {
    settleRows(found, chunk, at.first, dialect);
  } catch (e) {
    throw malformed(e);
  }
  return { rows: found.map((f) => f.cells), bytes: found[found.length - 1]?.end ?? 0 };
}
