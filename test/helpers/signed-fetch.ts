import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

/** Sends a request signed exactly as the AWS SDK signs it, for bodies the SDK would never send. */
export async function signedFetch(
  endpoint: string,
  o: {
    method: string;
    path: string;
    body?: string | Buffer;
    service?: string;
    headers?: Record<string, string>;
    signingDate?: Date;
    credentials: { accessKeyId: string; secretAccessKey: string };
  },
): Promise<Response> {
  const url = new URL(endpoint);
  const body = o.body === undefined ? undefined : Buffer.from(o.body);
  const signer = new SignatureV4({
    credentials: o.credentials,
    region: "us-east-1",
    service: o.service ?? "profile",
    sha256: Sha256,
    uriEscapePath: true,
  });
  const request = new HttpRequest({
    method: o.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: o.path,
    headers: { host: url.host, "content-type": "application/json", ...o.headers },
    ...(body ? { body } : {}),
  });
  const signed = await signer.sign(request, o.signingDate ? { signingDate: o.signingDate } : {});
  return fetch(`${endpoint}${o.path}`, {
    method: o.method,
    headers: signed.headers as Record<string, string>,
    ...(body ? { body } : {}),
  });
}
