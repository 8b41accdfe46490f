import { describe, expect, it } from "vitest";
import { isConnectorError, parseCsvChunk, parseCsvPage } from "../../../src/connectors/sdk/index.ts";

describe("parseCsvPage (Salesforce Bulk 2.0 result pages)", () => {
  it("reads quotes, doubled quotes, line breaks, CRLF, nulls and empty strings", () => {
    const text =
      '"Id","Name","Note"\r\n"1","a, b","say ""hi"""\r\n"2",,"two\nlines"\n"3","",\n"4","x\u0000y","""q"""';
    expect(parseCsvPage(text)).toEqual({
      header: ["Id", "Name", "Note"],
      rows: [
        ["1", "a, b", 'say "hi"'],
        ["2", null, "two\nlines"],
        ["3", "", null],
        ["4", "xy", '"q"'],
      ],
    });
    expect(parseCsvPage("")).toEqual({ header: [], rows: [] });
    expect(parseCsvPage('"A"\n').rows).toEqual([]);
  });

  it("skips a BOM and keeps a stray quote inside an unquoted cell", () => {
    expect(parseCsvPage('\ufeffId,Name\n1,O"Brien\n')).toEqual({
      header: ["Id", "Name"],
      rows: [["1", 'O"Brien']],
    });
  });

  it("with emptyIsNull (Salesforce: empty cells mean null) reads every empty cell as null, quoted or not", () => {
    const text =
      '\ufeff"Id","Name","Note"\r\n"1","a, b","say ""hi"""\r\n"2",,"two\nlines"\n"3","",\n"4","x\u0000y",""';
    expect(parseCsvPage(text, { emptyIsNull: true })).toEqual({
      header: ["Id", "Name", "Note"],
      rows: [
        ["1", "a, b", 'say "hi"'],
        ["2", null, "two\nlines"],
        ["3", null, null],
        ["4", "xy", null],
      ],
    });
    try {
      parseCsvPage('Id,Note\n1,"open', { emptyIsNull: true });
      expect.unreachable();
    } catch (e) {
      expect(isConnectorError(e, "bug")).toBe(true);
    }
  });

  it("refuses a page cut inside a quoted cell as a bug, not as data", () => {
    try {
      parseCsvPage('Id,Note\n1,"open');
      expect.unreachable();
    } catch (e) {
      expect(isConnectorError(e, "bug")).toBe(true);
    }
  });
});

describe("parseCsvChunk (Marketo bulk files read by Range)", () => {
  const nullText = { nullText: "null" };
  const file = Buffer.from('id,note\n1,"two\nlines, é"\n2,null\n3,""\n4,"last"', "utf8");

  it("hands on complete rows and the bytes they use, leaving a row cut by the range", () => {
    const all = parseCsvChunk(file, 10, { first: true, final: true }, nullText);
    expect(all.rows).toEqual([
      ["id", "note"],
      ["1", "two\nlines, é"],
      ["2", null],
      ["3", ""],
      ["4", "last"],
    ]);
    expect(all.bytes).toBe(file.length);
    // Cut inside the quoted line break of row 1, inside the multi-byte é, and inside the last row.
    for (const cut of [12, file.indexOf("é") + 1, file.length - 2]) {
      const part = parseCsvChunk(file.subarray(0, cut), 10, { first: true, final: false }, nullText);
      const whole = all.rows.slice(0, part.rows.length);
      expect(part.rows).toEqual(whole);
      expect(part.rows.length).toBeLessThan(all.rows.length);
      // The next chunk starts exactly where the complete rows end.
      const rest = parseCsvChunk(file.subarray(part.bytes), 10, { first: false, final: true }, nullText);
      expect([...part.rows, ...rest.rows]).toEqual(all.rows);
    }
  });

  it("stops at maxRows, and reads on from its byte offset", () => {
    const first = parseCsvChunk(file, 2, { first: true, final: true }, nullText);
    expect(first.rows).toHaveLength(2);
    const next = parseCsvChunk(file.subarray(first.bytes), 2, { first: false, final: true }, nullText);
    expect(next.rows).toEqual([
      ["2", null],
      ["3", ""],
    ]);
  });

  it("tells quoted from unquoted null and empty cells in rows that also hold other quoted cells", () => {
    const crlf = Buffer.from(
      'id,a,b,c,d\r\n1,"x, y",null,"null",\r\n2,nu\u0000ll,"","say ""null""",""\r\n3,O"B,null,"\u0000",',
      "utf8",
    );
    expect(parseCsvChunk(crlf, 10, { first: true, final: true }, nullText).rows).toEqual([
      ["id", "a", "b", "c", "d"],
      ["1", "x, y", null, "null", null],
      ["2", null, "", 'say "null"', ""],
      ["3", 'O"B', null, "", null],
    ]);
  });

  it("counts a BOM at the start of the file in the offset", () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("id\n1\n")]);
    const r = parseCsvChunk(withBom, 10, { first: true, final: true }, nullText);
    expect(r).toEqual({ rows: [["id"], ["1"]], bytes: withBom.length });
  });
});
