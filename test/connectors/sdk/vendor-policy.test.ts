import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FakeTimer,
  HostAllowList,
  HttpClient,
  type HttpClientOptions,
  OAuthTokenSource,
  sanitizeVendorText,
  vendorMessage,
  vendorPolicy,
} from "../../../src/connectors/sdk/index.ts";
import { hugeBody, VendorListener } from "../../helpers/vendor-listener.ts";
import { failure } from "./connector-failure.ts";

let vendor: VendorListener;
const clients: HttpClient[] = [];
beforeEach(async () => {
  vendor = await new VendorListener().start();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await vendor.stop();
});

function client(o: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({ baseUrl: vendor.url, timer: new FakeTimer(), random: () => 1, ...o });
  clients.push(c);
  return c;
}

const MiB = 1024 * 1024;

describe("HostAllowList", () => {
  it("matches names, wildcards and ports as documented", () => {
    const l = HostAllowList.parse([
      "*.my.salesforce.com",
      "127.0.0.1:*",
      "login.salesforce.com",
      "[::1]:8443",
    ]);
    expect(l.allows("https://acme.my.salesforce.com/services")).toBe(true);
    expect(l.allows("https://a.b.my.salesforce.com")).toBe(true);
    expect(l.allows("https://my.salesforce.com")).toBe(false); // *. needs a label in front
    expect(l.allows("https://evilmy.salesforce.com")).toBe(false);
    expect(l.allows("https://acme.my.salesforce.com:8443")).toBe(false); // no port: the default only
    expect(l.allows("HTTPS://LOGIN.SALESFORCE.COM:443/")).toBe(true);
    expect(l.allows("http://127.0.0.1:4591")).toBe(true);
    expect(l.allows("http://127.0.0.2:4591")).toBe(false);
    expect(l.allows("https://[::1]:8443")).toBe(true);
    expect(l.allows("ftp://127.0.0.1:21")).toBe(false);
    expect(HostAllowList.any().allows("http://anything.example:1")).toBe(true);
    expect(HostAllowList.parse([]).allows("http://127.0.0.1")).toBe(false);
    expect(() => HostAllowList.parse(["https://x.com"])).toThrow(/host\[:port\]/);
    expect(() => HostAllowList.parse(["x.com:99999"])).toThrow(/65535/);
  });
});

describe("HttpClient enforces the vendor policy", () => {
  const only = (pattern: string) => vendorPolicy({ hosts: HostAllowList.parse([pattern]) });

  it("never contacts a host outside the allow-list, token endpoint included", async () => {
    const tokenHttp = client({ policy: only("*.example.com") });
    const auth = new OAuthTokenSource({
      http: tokenHttp,
      tokenPath: "/oauth_token.do",
      timer: new FakeTimer(),
      initialGrant: () => ({ grant_type: "client_credentials", client_secret: "s3cret" }),
    });
    const e = await failure(
      client({ policy: only("*.example.com"), auth, dispatcher: tokenHttp.dispatcher }).request({
        path: "/api",
      }),
    );
    expect(e.class).toBe("config");
    expect(e.vendorCode).toBe("HOST_NOT_ALLOWED");
    expect(e.message).toContain(`127.0.0.1:${vendor.port} is not an allowed vendor host`);
    expect(vendor.arrivals).toEqual([]);
  });

  it("allows a listed host and port", async () => {
    vendor.answer = (_q, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":1}');
    };
    const res = await client({ policy: only("127.0.0.1:*") }).request({ path: "/api" });
    expect(res.body).toEqual({ ok: 1 });
    expect(vendor.arrivals).toHaveLength(1);
  });

  it("refuses an absolute URL the vendor named (e.g. a token response's instance_url) on another host", async () => {
    const e = await failure(
      client({ policy: only("127.0.0.1:*") }).request({ path: "https://elsewhere.example/services" }),
    );
    expect(e.vendorCode).toBe("HOST_NOT_ALLOWED");
  });

  it("stops reading a chunked 2xx past maxResponseBytes: class config, bytes bounded", async () => {
    vendor.answer = hugeBody(200, 512 * MiB, "application/json", '{"a":"bbbbbbbb"},');
    const e = await failure(
      client({ policy: vendorPolicy({ maxResponseBytes: 1 * MiB }) }).request({ path: "/big" }),
    );
    expect(e.class).toBe("config");
    expect(e.message).toMatch(/larger than 1048576 bytes/);
    expect(vendor.arrivals).toHaveLength(1); // config: not retried
    expect(vendor.bytesWritten).toBeLessThan(32 * MiB);
  });

  it("refuses a 2xx whose Content-Length is over the cap without reading it", async () => {
    vendor.answer = hugeBody(200, 512 * MiB, "text/csv", "a,b\n", true);
    const e = await failure(
      client({ policy: vendorPolicy({ maxResponseBytes: 1 * MiB }) }).request({ path: "/big" }),
    );
    expect(e.message).toContain("Content-Length 536870912");
    expect(vendor.bytesWritten).toBeLessThan(32 * MiB);
  });

  it("reads an error body up to 64 KiB, classifies it by status and logs the capped body at debug", async () => {
    const logged: Record<string, unknown>[] = [];
    vendor.answer = hugeBody(404, 300 * MiB, "text/html", "<p>secret intranet page</p>");
    const e = await failure(
      client({ policy: vendorPolicy({ debug: (_m, f) => void logged.push(f) }) }).request({ path: "/x" }),
    );
    expect(e.class).toBe("config");
    expect(e.message).toBe("not found (HTTP 404)");
    expect(vendor.bytesWritten).toBeLessThan(32 * MiB);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.["status"]).toBe(404);
    expect(String(logged[0]?.["body"]).length).toBe(64 * 1024);
    expect(logged[0]?.["body"]).toContain("secret intranet page"); // the operator sees it; the caller does not
  });
});

describe("vendor reasons in our errors", () => {
  it("quotes nothing of a non-JSON body", () => {
    expect(vendorMessage("<html><body>Internal wiki: passwords</body></html>")).toBe("");
    expect(vendorMessage("plain internal text")).toBe("");
  });

  it("keeps a code and a known message field, sanitized and capped", () => {
    expect(vendorMessage('[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]')).toBe(
      "INVALID_SESSION_ID: Session expired or invalid",
    );
    expect(
      vendorMessage('{"error":"invalid_grant","error_description":"expired access/refresh token"}'),
    ).toBe("invalid_grant: expired access/refresh token");
    expect(
      vendorMessage('{"error":{"message":"Invalid table x_foo","detail":null},"status":"failure"}'),
    ).toBe("Invalid table x_foo");
    const m = vendorMessage(
      JSON.stringify({ code: "E1", message: `a\u0000b\u202e<b>c</b>${"z".repeat(900)}` }),
    );
    expect(m).toMatch(/^E1: a b c z+…$/);
    expect(m.length).toBeLessThanOrEqual(160);
    // Another key's free text is not quoted.
    expect(vendorMessage('{"rows":[{"ssn":"123-45-6789"}]}')).toBe("");
  });

  it("never cuts a surrogate pair", () => {
    const s = sanitizeVendorText(`${"a".repeat(158)}😀😀`, 160);
    expect(s).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(s).toBe(`${"a".repeat(158)}…`);
  });
});
