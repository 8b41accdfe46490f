import type { Dispatcher } from "undici";
import { ConnectorError } from "./connector-error.ts";
import type { VendorPolicy } from "./vendor-policy.ts";

/**
 * Reads a vendor's answer without ever holding more than its cap: a 2xx past `maxResponseBytes` is
 * aborted (class config: repeating it would only read it again; a Content-Length over the cap is refused
 * before reading); an error body is cut at `maxErrorBodyBytes` and the rest is never read (the status
 * classifies it). Leaving the body early destroys it: undici closes the socket instead of draining it.
 */
export async function readCapped(
  r: Dispatcher.ResponseData,
  headers: Readonly<Record<string, string>>,
  url: string,
  policy: Pick<VendorPolicy, "maxResponseBytes" | "maxErrorBodyBytes">,
): Promise<{ text: string; bytes: number }> {
  const ok = r.statusCode >= 200 && r.statusCode < 300;
  const cap = ok ? policy.maxResponseBytes : policy.maxErrorBodyBytes;
  const declared = Number(headers["content-length"] ?? Number.NaN);
  const tooLarge = (seen: string) =>
    new ConnectorError(
      "config",
      `the source's answer from ${hostOf(url)} is larger than ${cap} bytes (${seen}); ` +
        "raise vendorResponseMaxBytes or ask for smaller pages",
      { status: r.statusCode },
    );
  if (ok && declared > cap) {
    r.body.destroy();
    throw tooLarge(`Content-Length ${declared}`);
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of r.body as AsyncIterable<Buffer>) {
    if (bytes + chunk.length > cap) {
      if (ok) throw tooLarge(`more than ${bytes + chunk.length} bytes read`);
      chunks.push(chunk.subarray(0, cap - bytes));
      bytes = cap;
      break;
    }
    chunks.push(chunk);
    bytes += chunk.length;
  }
  return { text: Buffer.concat(chunks, bytes).toString("utf8"), bytes };
}

/** `host:port` of a URL, for messages. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the source";
  }
}

/** The path without the query (which may carry tokens at some vendors). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}
