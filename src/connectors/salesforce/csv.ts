/**
 * Parses RFC 4180 CSV (Bulk API 2.0 results): quoted cells with doubled quotes and embedded line breaks,
 * LF or CRLF line ends. Returns the header and the rows; an unquoted empty cell is `null` (Bulk's null), a
 * quoted empty cell is "". `\x00` bytes are dropped (Bulk results can carry them).
 */
export function parseCsv(text: string, delimiter = ","): { header: string[]; rows: (string | null)[][] } {
  const src = text.includes("\u0000") ? text.replace(/\u0000/g, "") : text;
  const d = delimiter.charCodeAt(0);
  const rows: (string | null)[][] = [];
  const n = src.length;
  let row: (string | null)[] = [];
  let i = 0;
  while (i < n) {
    let cell: string | null;
    if (src.charCodeAt(i) === 34 /* " */) {
      // Fast path: no doubled quote inside, one slice.
      let q = src.indexOf('"', i + 1);
      if (q < 0) throw new SyntaxError("unterminated quoted CSV cell");
      if (src.charCodeAt(q + 1) !== 34) {
        cell = src.slice(i + 1, q);
      } else {
        const parts: string[] = [];
        let j = i + 1;
        while (src.charCodeAt(q + 1) === 34) {
          parts.push(src.slice(j, q + 1));
          j = q + 2;
          q = src.indexOf('"', j);
          if (q < 0) throw new SyntaxError("unterminated quoted CSV cell");
        }
        parts.push(src.slice(j, q));
        cell = parts.join("");
      }
      i = q + 1;
    } else {
      let j = i;
      for (; j < n; j++) {
        const c = src.charCodeAt(j);
        if (c === d || c === 10 || c === 13) break;
      }
      cell = j === i ? null : src.slice(i, j);
      i = j;
    }
    row.push(cell);
    const c = src.charCodeAt(i);
    if (c === d) {
      i++;
      if (i >= n) {
        row.push(null);
        rows.push(row);
      }
      continue;
    }
    if (c === 13) i++;
    if (src.charCodeAt(i) === 10) i++;
    rows.push(row);
    row = [];
  }
  const header = (rows.shift() ?? []).map((h) => h ?? "");
  return { header, rows };
}
