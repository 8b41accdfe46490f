import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

/** A SigV4-signed GET of `path` with a query string, for extension operations that have no SDK command. */
export async function signedGet(
  server: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  path: string,
  query: Record<string, string>,
): Promise<Response> {
  const url = new URL(server.endpoint);
  const signer = new SignatureV4({
    credentials: server.credentials,
    region: "us-east-1",
    service: "profile",
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query,
      headers: { host: url.host },
    }),
  );
  return fetch(`${server.endpoint}${path}?${new URLSearchParams(query)}`, {
    headers: signed.headers as Record<string, string>,
  });
}
