/**
 * Marketo bulk CSV: RFC 4180 quoting (cells may hold commas, quotes and line breaks), `\n` row ends, the text
 * `null` for empty values, and NUL bytes that some exports carry (peers strip them).
 */

/** Rows parsed from the start of `text`, and how many UTF-8 bytes they (with their line ends) used. */
export interface CsvChunk {
  readonly rows: (string | null)[][];
  readonly bytes: number;
  /** The same length in UTF-16 code units of `text`. */
  readonly chars: number;
}

/**
 * Parses up to `maxRows` complete rows from `text`. A row is complete only when its line end is in `text`
 * (or `final` says the text is the end of the file), so a chunk cut mid-row leaves that row for later.
 */
export function parseCsvRows(text: string, maxRows: number, final: boolean): CsvChunk {
  const rows: (string | null)[][] = [];
  let pos = 0;
  let used = 0;
  while (rows.length < maxRows && pos < text.length) {
    const cells: (string | null)[] = [];
    let i = pos;
    let complete = false;
    for (;;) {
      let cell: string;
      let quoted = false;
      if (text[i] === '"') {
        quoted = true;
        let out = "";
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) return { rows, bytes: used, chars: pos }; // the closing quote is in a later chunk
          out += text.slice(j, q);
          if (text[q + 1] === '"') {
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
        while (j < text.length && text[j] !== "," && text[j] !== "\n") j++;
        cell = text.slice(i, j);
        i = j;
      }
      cell = cell.replaceAll("\u0000", "");
      if (!quoted && cell.endsWith("\r")) cell = cell.slice(0, -1);
      cells.push(!quoted && (cell === "null" || cell === "") ? null : cell);
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "\n") {
        i++;
        complete = true;
      } else complete = final; // end of text: a row only if this is the end of the file
      break;
    }
    if (!complete) break;
    rows.push(cells);
    used += Buffer.byteLength(text.slice(pos, i), "utf8");
    pos = i;
  }
  return { rows, bytes: used, chars: pos };
}
