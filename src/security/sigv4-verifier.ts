import { timingSafeEqual } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";
import {
  canonicalHeaderValue,
  canonicalRequest,
  hmac,
  sha256Hex,
  signingKey,
  stringToSign,
} from "./sigv4-canonical.ts";

/** What the verifier sees before the body is read: the request line and the headers. */
export interface RequestHead {
  method: string;
  /** The URL exactly as received: path still percent-encoded, with its query string. */
  rawUrl: string;
  /** Header names lower-cased; a header sent several times as an array of its values. */
  headers: Record<string, string | string[] | undefined>;
}

export interface SignedRequest extends RequestHead {
  body: Buffer;
}

export interface VerifiedCaller {
  accessKeyId: string;
  region: string;
  service: string;
}

/** Where the verifier finds a secret for an access key id. */
export interface SecretLookup {
  /**
   * The secret of an active key; for temporary credentials only when `sessionToken` (the request's
   * `x-amz-security-token`) is theirs. May throw EXPIRED_TOKEN.
   */
  secretFor(accessKeyId: string, sessionToken?: string): Promise<string | undefined>;
}

export interface VerifierOptions {
  /** Regions a credential scope may name (default `us-east-1`). */
  regions?: readonly string[];
  /** Signing services the server answers for (default: any). */
  services?: readonly string[];
}

/** A request whose head passed every check; its signature is checked once the body is in. */
export interface PendingSignature {
  readonly caller: VerifiedCaller;
  readonly method: string;
  readonly rawUrl: string;
  readonly amzDate: string;
  readonly scope: string;
  readonly signedHeaders: string[];
  readonly headerValues: Map<string, string>;
  readonly declaredHash: string | undefined;
  readonly signature: string;
  readonly key: Buffer;
}

const MAX_SKEW_MS = 15 * 60 * 1000;
/** Derived signing keys kept (per access key, date, region, service); the whole cache is dropped when full. */
const SIGNING_KEY_CACHE = 1000;
const ALGORITHM = "AWS4-HMAC-SHA256";
/** Headers that change what is done (the operation, the session) must be covered by the signature. */
const MUST_SIGN_WHEN_PRESENT = ["x-amz-security-token", "x-amz-target"];

/** The credential scope's service of a request, without verifying it (used to route and shape errors). */
export function scopeService(authorization: string | undefined): string | undefined {
  return authorization?.match(/Credential=[^/]+\/\d{8}\/[^/]+\/([^/,\s]+)\//)?.[1];
}

/**
 * Verifies AWS Signature Version 4 in two steps, so that a request is refused before its body is read:
 * `checkHead` (Authorization well formed, known key, date within skew, region and service served,
 * `host` signed) and `checkBody` (payload hash of the body received, canonical request rebuilt from
 * exactly the client's SignedHeaders, signatures compared in constant time).
 */
export class SigV4Verifier {
  readonly #regions: ReadonlySet<string>;
  readonly #services: ReadonlySet<string> | undefined;
  /**
   * The signing key (four HMACs) of `accessKeyId/date/region/service`, with the secret it was derived
   * from: reused only while the key's secret is still the one looked up for this request.
   */
  readonly #signingKeys = new Map<string, { secret: string; key: Buffer }>();

  constructor(
    private readonly secrets: SecretLookup,
    private readonly clock: Clock,
    options: VerifierOptions = {},
  ) {
    this.#regions = new Set(options.regions ?? ["us-east-1"]);
    this.#services = options.services ? new Set(options.services) : undefined;
  }

  /** Both steps at once, for a request whose body is already in hand. */
  async verify(req: SignedRequest): Promise<VerifiedCaller> {
    return this.checkBody(await this.checkHead(req), req.body);
  }

  /** Everything that can be checked from the request line and headers; throws the AWS auth errors. */
  async checkHead(req: RequestHead): Promise<PendingSignature> {
    const authorization = header(req.headers, "authorization");
    if (!authorization) throw auth("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token");
    const a = parseAuthorization(authorization);
    const [accessKeyId, scopeDate, region, service, terminator] = a.credential;
    if (terminator !== "aws4_request") {
      throw auth("INVALID_SIGNATURE", "Credential should be scoped with a valid terminator: 'aws4_request'.");
    }
    if (this.#services && !this.#services.has(service)) {
      const list = [...this.#services].join(", ");
      throw auth(
        "INVALID_SIGNATURE",
        `Credential should be scoped to a valid service: ${list}, not '${service}'.`,
      );
    }
    if (!this.#regions.has(region)) {
      const list = [...this.#regions].join(", ");
      throw auth(
        "INVALID_SIGNATURE",
        `Credential should be scoped to a valid region: ${list}, not '${region}'.`,
      );
    }
    const signed = new Set(a.signedHeaders);
    if (!signed.has("host")) {
      throw auth("INVALID_SIGNATURE", "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    }
    checkPathSegments(req.rawUrl);
    const secret = await this.secrets.secretFor(accessKeyId, header(req.headers, "x-amz-security-token"));
    if (secret === undefined) {
      throw auth("UNRECOGNIZED_CLIENT", "The security token included in the request is invalid.");
    }
    const { amzDate, dateHeader } = this.signingDate(req.headers, scopeDate);
    if (!signed.has(dateHeader)) {
      throw auth("INVALID_SIGNATURE", `'${dateHeader}' must be a 'SignedHeader' in the AWS Authorization.`);
    }
    for (const name of MUST_SIGN_WHEN_PRESENT) {
      if (req.headers[name] !== undefined && !signed.has(name)) {
        throw auth("INVALID_SIGNATURE", `'${name}' must be a 'SignedHeader' in the AWS Authorization.`);
      }
    }
    const headerValues = new Map<string, string>();
    for (const name of a.signedHeaders) {
      const v = req.headers[name];
      if (v === undefined) {
        throw auth("INVALID_SIGNATURE", `SignedHeaders lists '${name}', which the request does not carry.`);
      }
      headerValues.set(name, canonicalHeaderValue(Array.isArray(v) ? v : [v]));
    }
    const declaredHash = header(req.headers, "x-amz-content-sha256");
    if (declaredHash !== undefined && !/^[0-9a-f]{64}$/.test(declaredHash)) {
      throw auth(
        "INVALID_SIGNATURE",
        `x-amz-content-sha256 must be the hex SHA-256 of the body; '${declaredHash.slice(0, 40)}' is not accepted (the body is always signed).`,
      );
    }
    const scope = `${scopeDate}/${region}/${service}/aws4_request`;
    return {
      caller: { accessKeyId, region, service },
      method: req.method,
      rawUrl: req.rawUrl,
      amzDate,
      scope,
      signedHeaders: a.signedHeaders,
      headerValues,
      declaredHash,
      signature: a.signature,
      key: this.#signingKey(accessKeyId, secret, scopeDate, region, service),
    };
  }

  #signingKey(accessKeyId: string, secret: string, date: string, region: string, service: string): Buffer {
    const id = `${accessKeyId}/${date}/${region}/${service}`;
    const cached = this.#signingKeys.get(id);
    if (cached?.secret === secret) return cached.key;
    const key = signingKey(secret, date, region, service);
    if (this.#signingKeys.size >= SIGNING_KEY_CACHE) this.#signingKeys.clear();
    this.#signingKeys.set(id, { secret, key });
    return key;
  }

  /** Checks the body received against the declared hash and the signature; returns the caller. */
  checkBody(p: PendingSignature, body: Buffer): VerifiedCaller {
    const payloadHash = sha256Hex(body);
    if (p.declaredHash !== undefined && p.declaredHash !== payloadHash) {
      throw auth(
        "INVALID_SIGNATURE",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    const q = p.rawUrl.indexOf("?");
    let canonical: string;
    try {
      canonical = canonicalRequest({
        method: p.method,
        rawPath: q === -1 ? p.rawUrl : p.rawUrl.slice(0, q),
        rawQuery: q === -1 ? "" : p.rawUrl.slice(q + 1),
        signedHeaders: p.signedHeaders,
        headerValues: p.headerValues,
        payloadHash,
      });
    } catch (e) {
      throw auth("INVALID_SIGNATURE", `The query string cannot be canonicalized: ${(e as Error).message}.`);
    }
    const expected = hmac(p.key, stringToSign(p.amzDate, p.scope, canonical));
    const given = Buffer.from(p.signature, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw auth(
        "INVALID_SIGNATURE",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      );
    }
    return p.caller;
  }

  /** The signing time from X-Amz-Date (or, failing that, Date), matching the scope and within skew. */
  private signingDate(
    headers: RequestHead["headers"],
    scopeDate: string,
  ): { amzDate: string; dateHeader: "x-amz-date" | "date" } {
    const xAmzDate = header(headers, "x-amz-date");
    const date = xAmzDate !== undefined ? parseAmzDate(xAmzDate) : parseHttpDate(header(headers, "date"));
    if (!date) {
      throw auth(
        "INVALID_SIGNATURE",
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    }
    const amzDate = formatAmzDate(date.getTime());
    if (amzDate.slice(0, 8) !== scopeDate) {
      throw auth(
        "INVALID_SIGNATURE",
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}'.`,
      );
    }
    const now = this.clock.now();
    if (Math.abs(now - date.getTime()) > MAX_SKEW_MS) {
      const early = date.getTime() < now;
      const message = early
        ? `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`
        : `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + MAX_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`;
      throw new ProfileflowError("INVALID_SIGNATURE", message, { expired: true, serverTime: now });
    }
    return { amzDate, dateHeader: xAmzDate !== undefined ? "x-amz-date" : "date" };
  }
}

/**
 * The canonical URI drops `.`, `..` and empty segments (as AWS does for every service but S3), while the
 * router routes the path as received: so such a path is refused, and the path signed is the path routed
 * (`DELETE /domains/A/workflows/..` would otherwise carry the signature of `DELETE /domains/A`). The SDKs,
 * botocore and the CLI normalize before sending; `.` inside a segment (`a.b`) is fine.
 */
function checkPathSegments(rawUrl: string): void {
  const q = rawUrl.indexOf("?");
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (!path.startsWith("/")) {
    throw auth(
      "INVALID_SIGNATURE",
      `The request path must start with '/': '${path.slice(0, 80)}' is refused.`,
    );
  }
  if (path === "/") return;
  // A single trailing `/` is a path of its own (kept in the canonical URI); `//` anywhere is not.
  const inner = path.endsWith("/") ? path.slice(1, -1) : path.slice(1);
  const bad = inner.split("/").find((s) => s === "" || s === "." || s === "..");
  if (bad !== undefined) {
    const what = bad === "" ? "an empty segment ('//')" : `a '${bad}' segment`;
    throw auth(
      "INVALID_SIGNATURE",
      `The request path '${path.slice(0, 200)}' has ${what}; send the path normalized (as the AWS SDKs do), so that the path signed is the path served.`,
    );
  }
}

interface ParsedAuthorization {
  credential: [string, string, string, string, string];
  signedHeaders: string[];
  signature: string;
}

/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (components in any order). */
function parseAuthorization(value: string): ParsedAuthorization {
  const malformed = (what: string) =>
    auth(
      "INVALID_SIGNATURE",
      `Authorization header ${what}. It must be '${ALGORITHM} Credential=…, SignedHeaders=…, Signature=…'.`,
    );
  if (!value.startsWith(`${ALGORITHM} `)) throw malformed(`must use the ${ALGORITHM} algorithm`);
  const parts = new Map<string, string>();
  for (const component of value.slice(ALGORITHM.length + 1).split(",")) {
    const c = component.trim();
    const eq = c.indexOf("=");
    if (eq <= 0 || parts.has(c.slice(0, eq)))
      throw malformed(`has a malformed component '${c.slice(0, 40)}'`);
    parts.set(c.slice(0, eq), c.slice(eq + 1));
  }
  const credential = parts.get("Credential")?.split("/");
  if (credential?.length !== 5 || credential.some((s) => s === "") || !/^\d{8}$/.test(credential[1]!)) {
    throw malformed("requires 'Credential' as '<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request'");
  }
  const signedHeaders = parts.get("SignedHeaders")?.split(";");
  if (!signedHeaders || signedHeaders.some((h) => !/^[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(h))) {
    throw malformed("requires 'SignedHeaders' as lower-case header names separated by ';'");
  }
  const signature = parts.get("Signature");
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) {
    throw malformed("requires 'Signature' as 64 lower-case hex digits");
  }
  return {
    credential: credential as ParsedAuthorization["credential"],
    signedHeaders,
    signature,
  };
}

function auth(
  code: "MISSING_AUTHENTICATION_TOKEN" | "UNRECOGNIZED_CLIENT" | "INVALID_SIGNATURE",
  message: string,
): ProfileflowError {
  return new ProfileflowError(code, message);
}

function header(headers: RequestHead["headers"], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

function parseAmzDate(v: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

function parseHttpDate(v: string | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}
