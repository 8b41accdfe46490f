/** The CSV Marketo's bulk extract writes: a header of REST names, `null` for empty values, RFC 4180 quoting. */

/** One CSV cell: quoted when it holds a comma, quote, CR or LF. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "null";
  const text = typeof value === "string" ? value : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: header plus one line per row, `\n`-terminated. */
export function toCsv(fields: readonly string[], rows: Iterable<Readonly<Record<string, unknown>>>): string {
  const lines = [fields.join(",")];
  for (const row of rows) lines.push(fields.map((f) => csvCell(row[f])).join(","));
  return lines.join("\n") + "\n";
}
