import { connect, type Socket } from "node:net";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A plain TCP connection to an HTTP endpoint, for requests no HTTP client would send. */
export class RawConnection {
  readonly socket: Socket;
  #data = Buffer.alloc(0);
  #closed = false;
  readonly #waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (d: Buffer) => {
      this.#data = Buffer.concat([this.#data, d]);
      this.#wake();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on("error", () => {});
  }

  static open(endpoint: string): Promise<RawConnection> {
    const url = new URL(endpoint);
    return new Promise((resolve, reject) => {
      const s = connect(Number(url.port), url.hostname, () => resolve(new RawConnection(s)));
      s.once("error", reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes, ignoring a connection the server already closed. */
  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Resolves with the first complete response (headers + Content-Length bytes of body). */
  async response(): Promise<RawResponse> {
    for (;;) {
      const parsed = parseResponse(this.#data);
      if (parsed) return parsed;
      if (this.#closed) throw new Error(`connection closed after ${this.#data.length} bytes: ${this.#data}`);
      await this.#next();
    }
  }

  /** Everything received so far, as text. */
  get received(): string {
    return this.#data.toString("latin1");
  }

  /** Resolves once `text` has been received (fails if the connection closes first). */
  async until(text: string): Promise<void> {
    while (!this.received.includes(text)) {
      if (this.#closed) throw new Error(`connection closed before '${text}': ${this.received}`);
      await this.#next();
    }
  }

  /** Resolves once the server has closed the connection. */
  async closedByServer(): Promise<void> {
    while (!this.#closed) await this.#next();
  }

  destroy(): void {
    this.socket.destroy();
  }

  #next(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

function parseResponse(data: Buffer): RawResponse | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(":");
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  const status = Number(statusLine!.split(" ")[1]);
  if (status === 100) return parseResponse(data.subarray(end + 4));
  const length = Number(headers["content-length"] ?? 0);
  if (data.length < end + 4 + length) return undefined;
  return { status, headers, body: data.subarray(end + 4, end + 4 + length).toString("utf8") };
}

/** The head of a request signed as the JavaScript SDK signs it, for a body of `contentLength` bytes. */
export async function signedHead(o: {
  endpoint: string;
  method: string;
  path: string;
  body: Buffer;
  credentials: { accessKeyId: string; secretAccessKey: string };
  service?: string;
  contentLength?: number;
  headers?: Record<string, string>;
}): Promise<string> {
  const url = new URL(o.endpoint);
  const signer = new SignatureV4({
    credentials: o.credentials,
    region: "us-east-1",
    service: o.service ?? "profile",
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: o.method,
      protocol: "http:",
      hostname: url.hostname,
      path: o.path,
      headers: {
        host: url.host,
        "content-type": "application/json",
        "content-length": String(o.contentLength ?? o.body.length),
        ...o.headers,
      },
      body: o.body,
    }),
  );
  const lines = Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`);
  return `${o.method} ${o.path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}
