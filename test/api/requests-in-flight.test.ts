import { afterAll, beforeAll, expect, it } from "vitest";
import { RawConnection, signedHead } from "../helpers/raw-http.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

// The flows engine commits in smaller parts while the edge serves requests (docs/architecture.md,
// "Pages committed in parts"): the edge counts a request from its head to its answer.
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer("sqlite");
});
afterAll(async () => t.close());

it("a request counts as in flight from its head until it is answered, and a dropped one stops counting", async () => {
  const inFlight = t.server.requestsInFlight;
  expect(inFlight.busy).toBe(false);
  const body = Buffer.from(JSON.stringify({ DefaultExpirationDays: 30 }));
  const head = await signedHead({
    endpoint: t.endpoint,
    method: "POST",
    path: "/domains/in-flight",
    body,
    credentials: t.credentials,
  });
  // The head alone: the request is being served (its body awaited).
  const c = await RawConnection.open(t.endpoint);
  c.write(head);
  await expect.poll(() => inFlight.count).toBe(1);
  c.write(body);
  const r = await c.response();
  expect(r.status).toBe(200);
  await expect.poll(() => inFlight.count).toBe(0);
  c.destroy();

  // A client that goes away mid-body: counted until its connection closes.
  const d = await RawConnection.open(t.endpoint);
  d.write(head);
  await expect.poll(() => inFlight.busy).toBe(true);
  d.destroy();
  await expect.poll(() => inFlight.busy).toBe(false);
});
