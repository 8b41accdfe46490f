/**
 * Parses RFC 4180 CSV (Bulk API 2.0 results): quoted cells with doubled quotes and embedded line breaks,
 * LF or CRLF line ends. Returns the header and the rows; an unquoted empty cell is `null` (Bulk's null), a
 * quoted empty cell is "". `\x00` bytes are dropped (Bulk results can carry them).
 */
export function parseCsv(text: string, delimiter = ","): { header: string[]; rows: (string | null)[][] } {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    let cell: string | null;
    if (text.charCodeAt(i) === 34 /* " */) {
      let out = "";
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new SyntaxError("unterminated quoted CSV cell");
        out += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 34) {
          out += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      cell = out;
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 10 || c === 13 || text[j] === delimiter) break;
        j++;
      }
      cell = j === i ? null : text.slice(i, j);
      i = j;
    }
    row.push(cell === null ? null : cell.includes("\u0000") ? cell.replace(/\u0000/g, "") : cell);
    if (i >= n) {
      rows.push(row);
      break;
    }
    if (text[i] === delimiter) {
      i++;
      if (i >= n) {
        row.push(null);
        rows.push(row);
      }
      continue;
    }
    if (text.charCodeAt(i) === 13) i++;
    if (text.charCodeAt(i) === 10) i++;
    rows.push(row);
    row = [];
  }
  const header = (rows.shift() ?? []).map((h) => h ?? "");
  return { header, rows };
}
