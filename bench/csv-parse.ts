/**
 * CSV parsing speed of the connectors' csv-parse wrapper (src/connectors/sdk/csv.ts), all of it synchronous on
 * the event loop: a Salesforce Bulk 2.0 style page (every cell quoted, empty cells null) parsed whole, and
 * Marketo bulk-export style files (`null` for empty values, quoting only where needed, a few quoted "null"
 * and "" kept as text) parsed in 1,000-row chunks the way read-bulk.ts reads its byte ranges. "Marketo, quotes
 * in every row" is the worst case for the quoting check: every row has both a quoted cell and a null cell.
 * Prints figures; asserts nothing. Run: npx tsx bench/csv-parse.ts [--rows 20000] [--runs 5]
 */
import { parseArgs } from "node:util";
import { parseCsvChunk, parseCsvPage } from "../src/connectors/sdk/index.ts";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "20000" }, runs: { type: "string", default: "5" } },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const COLS = 20;
const PAGE = 1000;

/** A small deterministic generator, so every run parses the same files. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** One cell's plain value, or undefined for a null one. */
function value(r: () => number, row: number, col: number, quotedShare: number): string | undefined {
  const x = r();
  if (col === 0) return String(1000000 + row);
  if (x < 0.3) return undefined;
  if (x < 0.3 + quotedShare) return `Suite ${row}, "B" wing\nFloor ${col}`;
  return `value-${row}-${col}-é`;
}

function salesforceFile(): string {
  const r = rng(1);
  const lines = [Array.from({ length: COLS }, (_, c) => `"Field${c}__c"`).join(",")];
  for (let i = 0; i < ROWS; i++) {
    const cells = [];
    for (let c = 0; c < COLS; c++) cells.push(`"${(value(r, i, c, 0.05) ?? "").replaceAll('"', '""')}"`);
    lines.push(cells.join(","));
  }
  return `${lines.join("\n")}\n`;
}

function marketoFile(quotedShare: number, quotedInEveryRow: boolean): Buffer {
  const r = rng(2);
  const cell = (v: string | undefined) =>
    v === undefined ? "null" : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  const lines = [Array.from({ length: COLS }, (_, c) => `field${c}`).join(",")];
  for (let i = 0; i < ROWS; i++) {
    const cells = [];
    for (let c = 0; c < COLS; c++) cells.push(cell(value(r, i, c, quotedShare)));
    if (i % 50 === 0) cells[COLS - 1] = '"null"'; // the text null, kept as text
    if (i % 70 === 0) cells[COLS - 2] = '""'; // a quoted empty string, kept as ""
    if (i % 90 === 0) cells[COLS - 3] = ""; // an unquoted empty cell: null
    if (quotedInEveryRow) cells[1] = '"a, b"';
    lines.push(cells.join(","));
  }
  return Buffer.from(`\ufeff${lines.join("\r\n")}\r\n`, "utf8");
}

function time(run: () => number): { ms: number; rows: number } {
  let best = Number.POSITIVE_INFINITY;
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    rows = run();
    best = Math.min(best, performance.now() - t);
  }
  return { ms: best, rows };
}

function marketoRun(file: Buffer): number {
  let offset = 0;
  let rows = 0;
  for (;;) {
    const end = Math.min(file.length, offset + PAGE * 600);
    const chunk = parseCsvChunk(
      file.subarray(offset, end),
      PAGE,
      { first: offset === 0, final: end === file.length },
      { nullText: "null" },
    );
    if (chunk.rows.length === 0) return rows - 1; // less the header
    rows += chunk.rows.length;
    offset += chunk.bytes;
  }
}

function report(name: string, bytes: number, { ms, rows }: { ms: number; rows: number }): void {
  const perSec = Math.round((rows / ms) * 1000).toLocaleString("en-US");
  const perPage = ((ms / rows) * PAGE).toFixed(1);
  const mb = (bytes / 2 ** 20).toFixed(1);
  console.log(
    `${name.padEnd(34)} ${rows} rows (${mb} MB): ${ms.toFixed(0)} ms, ${perSec} rows/s, ${perPage} ms per 1,000 rows`,
  );
}

const sf = salesforceFile();
report(
  "Salesforce page (emptyIsNull)",
  Buffer.byteLength(sf),
  time(() => parseCsvPage(sf, { emptyIsNull: true }).rows.length),
);
for (const [name, file] of [
  ["Marketo, 5% cells quoted", marketoFile(0.05, false)],
  ["Marketo, 0.5% cells quoted", marketoFile(0.005, false)],
  ["Marketo, quotes in every row", marketoFile(0.05, true)],
] as const) {
  report(
    name,
    file.length,
    time(() => marketoRun(file)),
  );
}
console.log(`(best of ${RUNS} runs, ${COLS} columns, Node ${process.version})`);
