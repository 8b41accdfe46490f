import { createHash, createHmac } from "node:crypto";

/**
 * The SigV4 canonical request, built explicitly from the spec
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html) so that
 * every client's signature verifies: the JavaScript SDK and botocore (AWS CLI, boto3) differ in which
 * headers they sign, never in how a canonical request is formed.
 */
export interface CanonicalParts {
  method: string;
  /** The path as received, still percent-encoded. */
  rawPath: string;
  /** The query string as received, without `?`. */
  rawQuery: string;
  /** Signed header names exactly as listed in the Authorization header. */
  signedHeaders: string[];
  /** The signed headers' values (several values of one header already joined). */
  headerValues: Map<string, string>;
  payloadHash: string;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** `METHOD\nURI\nQUERY\nHEADERS\n\nSIGNED\nPAYLOAD` per the spec; throws a TypeError on a malformed query. */
export function canonicalRequest(p: CanonicalParts): string {
  const headers = p.signedHeaders.map((name) => `${name}:${p.headerValues.get(name) ?? ""}\n`).join("");
  return [
    p.method.toUpperCase(),
    canonicalUri(p.rawPath),
    canonicalQuery(p.rawQuery),
    headers,
    p.signedHeaders.join(";"),
    p.payloadHash,
  ].join("\n");
}

/**
 * Dot segments and empty segments removed (as botocore and the SDK do), then every byte outside the
 * unreserved set escaped once more — non-S3 services sign the already-encoded path encoded again.
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const s of rawPath.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") segments.pop();
    else segments.push(s);
  }
  if (segments.length === 0) return "/";
  const trailing = rawPath.endsWith("/") ? "/" : "";
  return `/${segments.map((s) => escapeBytes(Buffer.from(s, "utf8"))).join("/")}${trailing}`;
}

/**
 * Each name and value decoded, strictly re-encoded, sorted by name then value. Decoded exactly as the
 * server's query parser reads them (`parseQuery`): `+` is a space, so `a+b` canonicalizes as `a%20b`
 * and `%2B` as `%2B` — one signature never covers two different parsed values (clients encode a space
 * as `%20` and a plus as `%2B`, as the spec asks).
 */
export function canonicalQuery(rawQuery: string): string {
  const pairs = parseQuery(rawQuery).map(([n, v]): [string, string] => [
    escapeBytes(Buffer.from(n, "utf8")),
    escapeBytes(Buffer.from(v, "utf8")),
  ]);
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

/**
 * The query's name/value pairs in order, decoded as fastify's query parser (fast-querystring) decodes
 * them: split on `&`, then on the first `=`, `+` read as a space, percent escapes decoded as UTF-8.
 * Throws a TypeError where that parser would keep the text raw instead (a malformed escape, bytes that
 * are not UTF-8), so what is signed is always what the handlers read.
 */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? "" : part.slice(eq + 1);
    pairs.push([decodeQueryComponent(name), decodeQueryComponent(value)]);
  }
  return pairs;
}

/** A header's values trimmed, inner whitespace runs collapsed to one space, joined with commas. */
export function canonicalHeaderValue(values: readonly string[]): string {
  return values.map((v) => v.trim().replace(/\s+/g, " ")).join(",");
}

/** `AWS4-HMAC-SHA256\n<amzDate>\n<scope>\n<hex sha256 of the canonical request>`. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

/** The derived signing key: HMAC chain over date, region, service and `aws4_request`. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  return hmac(hmac(hmac(kDate, region), service), "aws4_request");
}

export function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function escapeBytes(bytes: Buffer): string {
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && UNRESERVED.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** `+` as a space, then percent escapes decoded; the bytes must be UTF-8. Throws on a bad escape. */
function decodeQueryComponent(s: string): string {
  const bytes = percentDecode(s.replaceAll("+", " "));
  try {
    return utf8.decode(bytes);
  } catch {
    throw new TypeError(`'${s.slice(0, 60)}' does not decode to UTF-8`);
  }
}

/** Percent-decodes to bytes. Throws on a bad escape. */
function percentDecode(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new TypeError(`malformed percent escape in '${s}'`);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(s[i]!, "utf8"));
    }
  }
  return Buffer.from(bytes);
}
