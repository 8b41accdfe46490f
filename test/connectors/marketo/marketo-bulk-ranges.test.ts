import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkStep, emptyFileCache } from "../../../src/connectors/marketo/read-bulk.ts";
import { type ReadState, readStates } from "../../../src/connectors/marketo/read-state.ts";
import { leadFieldNames } from "../../../src/connectors/marketo/spec.ts";
import { HttpClient, parseCsvChunk, SeenSet, systemTimer } from "../../../src/connectors/sdk/index.ts";
import { ScriptServer } from "../sdk/script-server.ts";

/**
 * The bulk file read by Range, with every byte of a tricky row in turn at the end of the first range (16 KiB):
 * a multi-byte character, a quoted line break, a CRLF row end, a BOM only at the start of the file. The rows
 * handed on must be the whole file's rows, each once, whatever the cut, and resuming from each checkpoint's
 * byte offset must give the same.
 */
const firstRange = 16 << 10;
const width = leadFieldNames.length;
const trickyTitle = '"a ☃ b, 😀 ""q""\r\nnext line é"';

function row(id: number, note: string): string {
  const cells = leadFieldNames.map((f) =>
    f === "id" ? String(id) : f === "updatedAt" ? "2025-01-02T00:00:00Z" : "null",
  );
  cells[leadFieldNames.indexOf("title")] = note;
  return cells.join(",");
}

/** A file whose tricky row straddles byte `firstRange`, `shift` bytes into it. */
function file(shift: number): Buffer {
  const head = `\ufeff${leadFieldNames.join(",")}\r\n`;
  const tricky = row(999_999, trickyTitle);
  const lines: string[] = [];
  let id = 1;
  let size = Buffer.byteLength(head);
  for (;;) {
    const r = `${row(id, `t${id}`)}\r\n`;
    if (size + Buffer.byteLength(r) > firstRange - shift) break;
    lines.push(r);
    size += Buffer.byteLength(r);
    id++;
  }
  const pad = firstRange - shift - size; // make the tricky row start exactly `shift` bytes before the cut
  if (pad > 0 && lines.length > 0) {
    lines[0] = `${row(1, `t1${"x".repeat(pad)}`)}\r\n`;
  }
  const tail = [`${tricky}\r\n`, `${row(id + 1, "end ü")}\r\n`, `${row(id + 2, "")}`];
  return Buffer.from(head + lines.join("") + tail.join(""), "utf8");
}

let served: Buffer = Buffer.alloc(0);
const server = new ScriptServer();
let http: HttpClient;

beforeAll(async () => {
  await server.start();
  server.otherwise((req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range ?? ""));
    if (!m) {
      res.writeHead(200, { "content-type": "text/csv" });
      res.end(served);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), served.length - 1);
    const part = served.subarray(start, end + 1);
    res.writeHead(206, {
      "content-type": "text/csv",
      "content-length": part.length,
      "content-range": `bytes ${start}-${end}/${served.length}`,
    });
    res.end(part);
  });
  http = new HttpClient({ baseUrl: server.url, timer: systemTimer, random: () => 1 });
});

afterAll(async () => {
  await http.close();
  await server.stop();
});

function completed(): ReadState {
  const s = readStates.fresh("leads", Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 20), "window", SeenSet.empty());
  Object.assign(s, { exportId: "e1", job: "completed", fileSize: served.length, offset: 0 });
  return s;
}

/** Reads the file to its end from `s`; the rows handed on and the checkpoint after each page. */
async function readFile(s: ReadState, pageSize: number) {
  const cache = emptyFileCache();
  const rows: Record<string, unknown>[] = [];
  const checkpoints = [];
  while (s.exportId === "e1") {
    const page = await bulkStep(http, systemTimer, s, pageSize, cache);
    expect(page.rejected).toEqual([]);
    rows.push(...page.records.map((r) => r.data));
    checkpoints.push(readStates.encode(s));
  }
  return { rows, checkpoints };
}

describe("Marketo bulk file read by byte ranges", () => {
  it("hands on every row once whatever byte of a tricky row the range cuts, and resumes at each offset", async () => {
    const rowBytes = Buffer.byteLength(`${row(999_999, trickyTitle)}\r\n`);
    const titleAt =
      Buffer.byteLength(row(999_999, "").split(",").slice(0, leadFieldNames.indexOf("title")).join(",")) + 1;
    const shifts = [1, 2];
    for (let b = titleAt - 1; b <= titleAt + Buffer.byteLength(trickyTitle) + 1; b++) shifts.push(b);
    shifts.push(rowBytes - 2, rowBytes - 1, rowBytes);
    for (const [n, shift] of shifts.entries()) {
      served = file(shift);
      const whole = parseCsvChunk(served, 1e6, { first: true, final: true }, { nullText: "null" }).rows.slice(
        1,
      );
      expect(whole.every((r) => r.length === width)).toBe(true);
      const ids = whole.map((r) => Number(r[0]));
      const titles = whole.map((r) => r[leadFieldNames.indexOf("title")]);
      for (const pageSize of [1]) {
        const { rows, checkpoints } = await readFile(completed(), pageSize);
        expect(
          rows.map((r) => r["id"]),
          `shift ${shift} page ${pageSize}`,
        ).toEqual(ids);
        expect(rows.map((r) => r["title"])).toEqual(titles);
        if (n % 20 !== 0) continue;
        // Resume from every saved offset (a fresh process: no cache) and read the rest.
        let at = 0;
        for (const c of checkpoints.slice(0, -1)) {
          const s = readStates.decode(c, "leads", { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 20) });
          at += pageSize;
          const rest = await readFile(s, pageSize);
          expect(rest.rows.map((r) => r["id"])).toEqual(ids.slice(Math.min(at, ids.length)));
        }
      }
    }
  });
});
