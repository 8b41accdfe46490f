import type { OpSpec } from "./catalog.ts";
import { bodyBytes, evilString, fillPath, mutateBody, query } from "./mutate.ts";
import type { Rng } from "./rng.ts";
import type { Credentials, WireClient } from "./wire-client.ts";

/** A generated request, ready to send, with what it is meant to test. */
export interface Planned {
  kind: "signed" | "bad-auth";
  /** The edge must answer it with a 4xx (false where HTTP itself makes it ambiguous, e.g. a repeated header). */
  mustRefuse: boolean;
  /** Signed as a client signs it and sent as HTTP carries it: the signature check should pass. */
  reachesHandler: boolean;
  op: OpSpec;
  label: string;
  method: string;
  path: string;
  headers: [string, string][];
  body: Buffer;
}

const contentTypes = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "a/b/c;;;=",
  "application/xml",
];

/** The operation's own headers: content type and, for Secrets Manager, its target. */
function baseHeaders(op: OpSpec): [string, string][] {
  const h: [string, string][] = [
    ["content-type", op.service === "secretsmanager" ? "application/x-amz-json-1.1" : "application/json"],
  ];
  if (op.target) h.push(["x-amz-target", op.target]);
  return h;
}

/**
 * A validly signed request with garbage inputs (so it reaches the handler): one member mutated, a hostile path
 * segment or query, odd content types, invalid UTF-8 and broken JSON.
 */
export async function signedGarbage(
  rng: Rng,
  op: OpSpec,
  client: WireClient,
  credentials: Credentials,
): Promise<Planned> {
  const labels: string[] = [];
  const p = fillPath(rng, op, rng.chance(0.15));
  if (p.label) labels.push(p.label);
  const q = query(rng, op, rng.chance(0.1));
  if (q.label) labels.push(q.label);
  let reachesHandler = !q.label.includes("%ZZ"); // a query that cannot be canonicalized fails the signature
  let b: { bytes: Buffer; label: string } = { bytes: Buffer.alloc(0), label: "" };
  if (op.body || rng.chance(0.03)) {
    let value: unknown = op.body ?? {};
    if (rng.chance(0.8)) {
      const m = mutateBody(rng, op.body ?? {});
      value = m.value;
      labels.push(m.label);
    }
    b = bodyBytes(rng, value);
    if (b.label) labels.push(b.label);
    if (!op.body) {
      labels.push(`body on a ${op.method}`); // not read for GET/DELETE: its hash cannot match
      reachesHandler = false;
    }
  }
  const headers = baseHeaders(op);
  if (rng.chance(0.08)) {
    const ct = rng.pick(contentTypes);
    headers[0] = ["content-type", ct];
    labels.push(`content-type ${ct}`);
  } else if (rng.chance(0.03)) {
    headers.shift();
    labels.push("no content-type");
  }
  if (rng.chance(0.04)) {
    const enc = rng.pick(["gzip", "br", "deflate", "identity, gzip", "x-unknown"]);
    headers.push(["content-encoding", enc]); // the body stays plain JSON: a decoder must refuse, not crash
    labels.push(`content-encoding ${enc}`);
  }
  if (op.target && rng.chance(0.05)) {
    const t = rng.pick(["secretsmanager.Nope", "", "secretsmanager.", evilString(rng).slice(0, 200)]);
    headers[headers.length - 1] = ["x-amz-target", t.replace(/[^\x20-\x7e]/g, "?")];
    labels.push("odd x-amz-target");
  }
  const method = rng.chance(0.03) ? rng.pick(["PATCH", "OPTIONS", "HEAD", "GET", "PUT"]) : op.method;
  if (method !== op.method) {
    labels.push(`method ${method}`);
    if (b.bytes.length > 0 && ["GET", "HEAD", "OPTIONS"].includes(method)) reachesHandler = false;
  }
  // A `.`, `..` or empty segment is refused by the signature check on purpose (the path signed must be the
  // path routed): such a request must be refused and never reaches its handler.
  const unnormalized = hasDotOrEmptySegment(p.path);
  if (unnormalized) reachesHandler = false;
  const path = p.path + q.qs;
  const signed = await client.sign(method, path, headers, b.bytes, { service: op.service, credentials });
  return {
    kind: "signed",
    mustRefuse: unnormalized,
    reachesHandler,
    op,
    label: labels.join("; ") || "valid input",
    method,
    path,
    headers: signed,
    body: b.bytes,
  };
}

const hex = "0123456789abcdef";

/**
 * A request the edge must refuse before any handler runs: no, malformed, truncated or wrong signatures,
 * wrong keys and scopes, skewed dates, duplicated or huge headers.
 */
export async function badAuth(
  rng: Rng,
  op: OpSpec,
  client: WireClient,
  credentials: Credentials,
): Promise<Planned> {
  const p = fillPath(rng, op, false);
  const body = Buffer.from(
    JSON.stringify(rng.chance(0.3) ? mutateBody(rng, op.body ?? {}).value : (op.body ?? {})),
  );
  const base = baseHeaders(op);
  const sign = (o: Partial<Parameters<WireClient["sign"]>[4]> = {}, headers = base, b = body) =>
    client.sign(op.method, p.path, headers, b, { service: op.service, credentials, ...o });
  const set = (h: [string, string][], name: string, value: string | undefined) => {
    const out = h.filter(([k]) => k.toLowerCase() !== name);
    if (value !== undefined) out.push([name, value]);
    return out;
  };
  const auth = (h: [string, string][]) => h.find(([k]) => k.toLowerCase() === "authorization")?.[1] ?? "";
  let label: string;
  let headers: [string, string][];
  let sent = body;
  let mustRefuse = true;
  const pickCase = rng.int(20);
  switch (pickCase) {
    case 0:
      label = "no authorization";
      headers = set(await sign(), "authorization", undefined);
      break;
    case 1: {
      const garbage = rng.pick([
        "",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 ",
        "Bearer abc",
        "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/profile/aws4_request",
        "AWS4-HMAC-SHA512 Credential=x/y/z/w/aws4_request, SignedHeaders=host, Signature=00",
        "aws4-hmac-sha256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=zz",
        `AWS4-HMAC-SHA256 Credential=${"/".repeat(50)}, SignedHeaders=${";".repeat(50)}, Signature=${"0".repeat(64)}`,
        evilString(rng)
          .replace(/[^\x20-\x7e]/g, "?")
          .slice(0, 4000),
      ]);
      label = `malformed authorization ${JSON.stringify(garbage.slice(0, 40))}`;
      headers = set(await sign(), "authorization", garbage);
      break;
    }
    case 2: {
      const h = await sign();
      const a = auth(h);
      label = "truncated signature";
      headers = set(h, "authorization", a.slice(0, a.length - 1 - rng.int(63)));
      break;
    }
    case 3: {
      const h = await sign();
      const a = auth(h);
      const i = a.length - 1 - rng.int(64);
      label = "one signature character changed";
      headers = set(h, "authorization", a.slice(0, i) + hex[(hex.indexOf(a[i]!) + 1) % 16] + a.slice(i + 1));
      break;
    }
    case 4:
      label = "wrong secret";
      headers = await sign({
        credentials: { ...credentials, secretAccessKey: `${credentials.secretAccessKey}x` },
      });
      break;
    case 5:
      label = "unknown access key";
      headers = await sign({ credentials: { ...credentials, accessKeyId: "AKIDUNKNOWNFUZZ00000" } });
      break;
    case 6: {
      const region = rng.pick(["eu-west-1", "us-east-2", "", "us-east-1 ", "xx"]);
      label = `scope region ${JSON.stringify(region)}`;
      headers = await sign({ region });
      break;
    }
    case 7: {
      const service = rng.pick(["s3", "iam", "sts", "execute-api", "Profile", "appflow2"]);
      label = `scope service ${service}`;
      headers = await sign({ service });
      break;
    }
    case 8: {
      const skew = rng.pick([-16, 16, -60 * 24, 60 * 24 * 365]);
      label = `signed ${skew} minutes off`;
      headers = await sign({ signingDate: new Date(Date.now() + skew * 60_000) });
      break;
    }
    case 9: {
      const d = rng.pick(["20260101", "garbage", "", "99999999T999999Z", "20261203T041300"]);
      label = `x-amz-date ${JSON.stringify(d)}`;
      headers = set(await sign(), "x-amz-date", d);
      break;
    }
    case 10: {
      label = "SignedHeaders without host"; // a valid signature over everything but host
      headers = await sign({ unsigned: ["host"] });
      if (/SignedHeaders=[^,]*\bhost\b/.test(auth(headers))) throw new Error("the signer still signed host");
      break;
    }
    case 11: {
      const h = await sign();
      const garbage = "AWS4-HMAC-SHA256 Credential=x/y/z/w/aws4_request, SignedHeaders=host, Signature=00";
      // Node keeps the first of repeated authorization headers: garbage first must be refused; a valid
      // first one is the request's signature (the second is dropped), so either answer is defensible.
      mustRefuse = rng.chance(0.5);
      label = mustRefuse
        ? "two authorization headers, garbage first"
        : "two authorization headers, valid first";
      headers = mustRefuse
        ? [...set(h, "authorization", garbage), ["authorization", auth(h)]]
        : [...h, ["authorization", garbage]];
      break;
    }
    case 12: {
      const h = await sign();
      const size = rng.pick([20_000, 40_000, 100_000]);
      label = `extra header of ${size} bytes`;
      headers = [...h, ["x-fuzz", "a".repeat(size)]];
      break;
    }
    case 13: {
      label = "huge authorization";
      const h = await sign();
      headers = set(h, "authorization", `${auth(h)}${",x=y".repeat(rng.pick([500, 5000]))}`);
      break;
    }
    case 14: {
      label = "body changed after signing";
      headers = await sign();
      sent = Buffer.from(JSON.stringify({ ...(op.body ?? {}), injected: true }));
      break;
    }
    case 15: {
      label = "UNSIGNED-PAYLOAD, body changed";
      headers = await sign({}, [...base, ["x-amz-content-sha256", "UNSIGNED-PAYLOAD"]]);
      sent = Buffer.from(JSON.stringify({ ...(op.body ?? {}), injected: true }));
      break;
    }
    case 16: {
      label = "x-amz-content-sha256 wrong";
      headers = set(await sign(), "x-amz-content-sha256", "0".repeat(64));
      break;
    }
    case 17: {
      label = "two host headers, the signed one first"; // Node keeps the first: the signature holds
      mustRefuse = false;
      headers = [...(await sign()), ["host", "evil.example"]];
      break;
    }
    case 18: {
      label = "host changed after signing";
      headers = set(await sign(), "host", "evil.example:1");
      break;
    }
    default: {
      label = "signed header changed after signing";
      headers = set(await sign(), "content-type", "text/plain");
      break;
    }
  }
  return {
    kind: "bad-auth",
    mustRefuse,
    reachesHandler: false,
    op,
    label,
    method: op.method,
    path: p.path,
    headers,
    body: sent,
  };
}

/** Bytes no HTTP client would send: broken request lines, headers, framing and encodings. */
export function malformedHttp(rng: Rng, host: string): { label: string; bytes: Buffer } {
  const cases: [string, string | Buffer][] = [
    ["garbage request line", "GARBAGE\r\n\r\n"],
    ["header without colon", `GET /domains HTTP/1.1\r\nHost: ${host}\r\nBad Header\r\n\r\n`],
    [
      "Content-Length not a number",
      `POST /create-flow HTTP/1.1\r\nHost: ${host}\r\nContent-Length: abc\r\n\r\n`,
    ],
    [
      "Content-Length and Transfer-Encoding",
      `POST /create-flow HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    [
      "bad chunk size",
      `POST /create-flow HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nx\r\n0\r\n\r\n`,
    ],
    ["HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
    ["raw UTF-8 in path", Buffer.from(`GET /domains/日本 HTTP/1.1\r\nHost: ${host}\r\n\r\n`, "utf8")],
    [
      "raw invalid UTF-8 in path",
      Buffer.concat([
        Buffer.from("GET /domains/"),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(` HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
      ]),
    ],
    ["100 KB URL", `GET /domains/${"a".repeat(100_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    [
      "8 KB path segment",
      `GET /domains/${"a".repeat(8_000)} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ],
    ["%ZZ in path", `GET /domains/%ZZ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`],
    [
      "absolute-form URL",
      `GET http://evil.example/domains HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ],
    ["HTTP/1.0 without host", "GET /domains HTTP/1.0\r\n\r\n"],
    ["NUL in header value", `GET /domains HTTP/1.1\r\nHost: ${host}\r\nX-A: a\u0000b\r\n\r\n`],
    ["bare LF line ends", `GET /domains HTTP/1.1\nHost: ${host}\n\n`],
    ["unknown method", `BREW /domains HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`],
    ["space in URL", `GET /domains /x HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    [
      "200 headers",
      `GET /domains HTTP/1.1\r\nHost: ${host}\r\n${"X-A: b\r\n".repeat(200)}Connection: close\r\n\r\n`,
    ],
  ];
  const [label, bytes] = rng.pick(cases);
  return { label, bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "latin1") };
}

/**
 * Fixed requests sent before the random ones on every run: inputs that once broke something (a regression
 * corpus), so that a known finding shows every time, not by chance. Each is a catalog operation's valid
 * input with one change.
 */
export async function corpus(
  ops: OpSpec[],
  client: WireClient,
  credentials: Credentials,
): Promise<Planned[]> {
  const op = (name: string) => ops.find((o) => o.name === name)!;
  const nul = "a\u0000b";
  const cases: [OpSpec, string, Record<string, unknown> | undefined, Record<string, string> | undefined][] = [
    [op("SearchProfiles"), "Values.0 with U+0000 inside", { KeyName: "_email", Values: [nul] }, undefined],
    [
      op("AddProfileKey"),
      "Values.0 with U+0000 inside",
      { ...op("AddProfileKey").body, Values: [nul] },
      undefined,
    ],
    [op("CreateProfile"), "FirstName with U+0000 inside", { FirstName: nul }, undefined],
    [
      op("ListAccountIntegrations"),
      "Uri with U+0000 inside",
      { Uri: `arn:aws:appflow:us-east-1:000000000000:flow/${nul}` },
      undefined,
    ],
    [op("GetWorkflow"), "WorkflowId = NUL", undefined, { WorkflowId: "\u0000" }],
    [op("GetProfileHistoryRecord"), "Id = NUL", undefined, { Id: "\u0000" }],
    [op("DescribeSecret"), "SecretId with U+0000 inside", { SecretId: nul }, undefined],
    [
      op("PutProfileObject"),
      "Object's email with U+0000 inside",
      {
        ...op("PutProfileObject").body,
        Object: JSON.stringify({ id: "o-nul", email: `${nul}@example.com` }),
      },
      undefined,
    ],
    [op("SearchProfiles"), "Values.0 a lone surrogate", { KeyName: "_email", Values: ["\ud800"] }, undefined],
    [
      op("CreateProfile"),
      "40,000 Attributes",
      { Attributes: Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${i}`, "v"])) },
      undefined,
    ],
    [
      op("SearchProfiles"),
      "Values of 40,000",
      { KeyName: "_email", Values: Array.from({ length: 40_000 }, (_, i) => `v${i}@x.io`) },
      undefined,
    ],
  ];
  // Bodies over the 6 MiB limit: signed (413), and without any signature (refused before it is read).
  const big = Buffer.from(JSON.stringify({ FirstName: "x".repeat(7 * 1024 * 1024) }));
  const create = op("CreateProfile");
  const createPath = create.path.replace("{DomainName}", encodeURIComponent(create.params!["DomainName"]!));
  const bigSigned = await client.sign("POST", createPath, baseHeaders(create), big, {
    service: "profile",
    credentials,
  });
  const oversized: Planned[] = [
    {
      kind: "signed",
      mustRefuse: true,
      reachesHandler: false,
      op: create,
      // A client sending 7 MiB without waiting races the server's 413 and close (RFC 9112 §9.6); the
      // SDKs' answer is `Expect: 100-continue`: refused from the head, the body is never sent.
      label: "corpus: 7 MiB body, signed, Expect: 100-continue",
      method: "POST",
      path: createPath,
      headers: [...bigSigned, ["expect", "100-continue"]],
      body: big,
    },
    {
      kind: "bad-auth",
      mustRefuse: true,
      reachesHandler: false,
      op: create,
      label: "corpus: 7 MiB body, unsigned",
      method: "POST",
      path: createPath,
      headers: baseHeaders(create),
      body: big,
    },
  ];
  return Promise.all(
    cases.map(async ([o, label, body, params]) => {
      const spec: OpSpec = { ...o, ...(body ? { body } : {}), params: { ...o.params, ...params } };
      const path = spec.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(spec.params![n]!));
      const bytes = Buffer.from(spec.body ? JSON.stringify(spec.body) : "");
      const headers = await client.sign(spec.method, path, baseHeaders(spec), bytes, {
        service: spec.service,
        credentials,
      });
      return {
        kind: "signed" as const,
        mustRefuse: false,
        reachesHandler: true,
        op: o,
        label: `corpus: ${label}`,
        method: spec.method,
        path,
        headers,
        body: bytes,
      };
    }),
  ).then((planned) => [...planned, ...oversized]);
}

/** Whether a raw path has a `.`, `..` or empty segment (a single trailing `/` aside). */
function hasDotOrEmptySegment(path: string): boolean {
  const inner = path.endsWith("/") ? path.slice(1, -1) : path.slice(1);
  return path !== "/" && inner.split("/").some((s) => s === "" || s === "." || s === "..");
}
