import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Clock } from "../core/clock.ts";
import { ProfileflowError } from "../core/errors.ts";

export interface SignedRequest {
  method: string;
  /** The URL exactly as received: path still percent-encoded, with its query string. */
  rawUrl: string;
  /** Header names lower-cased. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface VerifiedCaller {
  accessKeyId: string;
  region: string;
  service: string;
}

/** Where the verifier finds a secret for an access key id. */
export interface SecretLookup {
  secretFor(accessKeyId: string): Promise<string | undefined>;
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

/** The credential scope's service of a request, without verifying it (used to route and shape errors). */
export function scopeService(authorization: string | undefined): string | undefined {
  return authorization?.match(/Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//)?.[1];
}

/**
 * Verifies AWS Signature Version 4 by re-signing the request as received (raw, still-encoded path,
 * signed headers only, the body's own hash) and comparing signatures in constant time.
 */
export class SigV4Verifier {
  constructor(
    private readonly secrets: SecretLookup,
    private readonly clock: Clock,
  ) {}

  /** Returns the caller or throws MISSING_AUTHENTICATION_TOKEN / UNRECOGNIZED_CLIENT / INVALID_SIGNATURE. */
  async verify(req: SignedRequest): Promise<VerifiedCaller> {
    const authorization = header(req.headers, "authorization");
    if (!authorization)
      throw new ProfileflowError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token");
    const m = AUTH_RE.exec(authorization);
    if (!m) {
      throw new ProfileflowError(
        "INVALID_SIGNATURE",
        "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' in AWS4-HMAC-SHA256 form.",
      );
    }
    const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = m as unknown as string[];
    const secret = await this.secrets.secretFor(accessKeyId!);
    if (secret === undefined) {
      throw new ProfileflowError(
        "UNRECOGNIZED_CLIENT",
        "The security token included in the request is invalid.",
      );
    }
    const amzDate = header(req.headers, "x-amz-date");
    const signingDate = amzDate ? parseAmzDate(amzDate) : dateHeader(header(req.headers, "date"));
    if (!signingDate || amzDate?.slice(0, 8) !== scopeDate) {
      throw new ProfileflowError(
        "INVALID_SIGNATURE",
        "The request must carry an X-Amz-Date header matching the credential scope date.",
      );
    }
    this.checkSkew(signingDate, amzDate);
    const declaredHash = header(req.headers, "x-amz-content-sha256");
    const bodyHash = createHash("sha256").update(req.body).digest("hex");
    if (declaredHash !== undefined && declaredHash !== "UNSIGNED-PAYLOAD" && declaredHash !== bodyHash) {
      throw new ProfileflowError(
        "INVALID_SIGNATURE",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    const expected = await this.sign(req, signedHeaderList!.split(";"), {
      accessKeyId: accessKeyId!,
      secret,
      region: region!,
      service: service!,
      signingDate,
    });
    const a = Buffer.from(expected, "hex");
    const b = Buffer.from(signature!, "hex");
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new ProfileflowError(
        "INVALID_SIGNATURE",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      );
    }
    return { accessKeyId: accessKeyId!, region: region!, service: service! };
  }

  private checkSkew(signingDate: Date, amzDate: string | undefined): void {
    const now = this.clock.now();
    if (Math.abs(now - signingDate.getTime()) <= MAX_SKEW_MS) return;
    const fmt = (ms: number) =>
      new Date(ms)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
    const early = signingDate.getTime() < now;
    const message = early
      ? `Signature expired: ${amzDate} is now earlier than ${fmt(now - MAX_SKEW_MS)} (${fmt(now)} - 15 min.)`
      : `Signature not yet current: ${amzDate} is still later than ${fmt(now + MAX_SKEW_MS)} (${fmt(now)} + 15 min.)`;
    throw new ProfileflowError("INVALID_SIGNATURE", message, { expired: true, serverTime: now });
  }

  private async sign(
    req: SignedRequest,
    signedHeaders: string[],
    o: { accessKeyId: string; secret: string; region: string; service: string; signingDate: Date },
  ): Promise<string> {
    const q = req.rawUrl.indexOf("?");
    const path = q === -1 ? req.rawUrl : req.rawUrl.slice(0, q);
    const query: Record<string, string | string[]> = {};
    if (q !== -1) {
      for (const [k, v] of new URLSearchParams(req.rawUrl.slice(q + 1))) {
        const prev = query[k];
        query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      }
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const v = header(req.headers, name);
      if (v !== undefined) headers[name] = v;
    }
    const signer = new SignatureV4({
      credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secret },
      region: o.region,
      service: o.service,
      sha256: Sha256,
      uriEscapePath: o.service !== "s3",
      applyChecksum: true,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: req.method,
        protocol: "http:",
        hostname: headers["host"] ?? "",
        path,
        query,
        headers,
        body: req.body,
      }),
      { signingDate: o.signingDate, signingRegion: o.region, signingService: o.service },
    );
    const auth = String(signed.headers["authorization"] ?? "");
    return auth.match(/Signature=([0-9a-f]{64})/)?.[1] ?? "";
  }
}

function header(headers: SignedRequest["headers"], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

function parseAmzDate(v: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

function dateHeader(v: string | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
