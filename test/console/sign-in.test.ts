import { GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ConsoleHarness,
  describeConsole,
  expectAccessible,
  expectCleanConsole,
  NARROW,
  STARTUP_MS,
  screenshot,
  startConsole,
  storage,
} from "./console-harness.ts";

describeConsole("console sign-in (chromium)", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsole("sqlite");
  }, STARTUP_MS);
  afterAll(async () => {
    await h?.close();
  });

  it("a wrong secret shows the API's own message and keeps nothing", async () => {
    const sts = new STSClient({
      endpoint: h.server.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: h.server.credentials.accessKeyId, secretAccessKey: "wrong-secret" },
      maxAttempts: 1,
    });
    const expected = await sts.send(new GetSessionTokenCommand({})).then(
      () => "",
      (e: Error) => e.message,
    );
    sts.destroy();
    expect(expected).not.toBe("");
    const p = await h.newPage();
    // Chromium logs the refused request itself ("Failed to load resource: … 403").
    p.allow(/Failed to load resource: the server responded with a status of 403/);
    await p.page.goto(h.url);
    await p.page.getByLabel("Access key ID").fill(h.server.credentials.accessKeyId);
    await p.page.getByLabel("Secret access key").fill("wrong-secret");
    await p.page.getByRole("button", { name: "Sign in" }).click();
    await p.page.getByText(expected).waitFor();
    expect(await storage(p, "sessionStorage")).toEqual({});
    await expectAccessible(p, "the sign-in page with an error");
    await screenshot(p, "sign-in-error");
    expectCleanConsole(p);
  });

  it("the right key lands on the configuration page with only temporary credentials kept", async () => {
    const p = await h.newPage();
    await h.signIn(p);
    expect(new URL(p.page.url()).pathname).toBe("/console/configuration");
    const stored = await storage(p, "sessionStorage");
    expect(Object.keys(stored)).toEqual(["profileflow.session"]);
    const session = JSON.parse(stored["profileflow.session"]!) as Record<string, string>;
    expect(Object.keys(session).sort()).toEqual([
      "accessKeyId",
      "expiration",
      "secretAccessKey",
      "sessionToken",
    ]);
    expect(session["accessKeyId"]).not.toBe(h.server.credentials.accessKeyId);
    expect(session["sessionToken"]).toBeTruthy();
    expect(JSON.stringify(stored)).not.toContain(h.server.credentials.secretAccessKey);
    expect(await storage(p, "localStorage")).toEqual({});
    // A deep link in the same tab works, and signing out forgets the credentials.
    await p.page.goto(`${h.url}configuration`);
    await p.page.getByRole("heading", { name: "Customer profiles configuration" }).waitFor();
    await p.page.getByRole("button", { name: "Sign out" }).click();
    await p.page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await storage(p, "sessionStorage")).toEqual({});
    expectCleanConsole(p);
  });

  it("signs in with the keyboard alone: Tab between the fields, Enter submits", async () => {
    const p = await h.newPage();
    await p.page.goto(h.url);
    await p.page.getByLabel("Access key ID").waitFor();
    // The first field has the focus when the page opens.
    await p.page.keyboard.type(h.server.credentials.accessKeyId);
    await p.page.keyboard.press("Tab");
    await p.page.keyboard.type(h.server.credentials.secretAccessKey);
    await p.page.keyboard.press("Enter");
    await p.page.getByRole("heading", { name: "Customer profiles configuration" }).waitFor();
    expect(Object.keys(await storage(p, "sessionStorage"))).toEqual(["profileflow.session"]);
    expectCleanConsole(p);
  });

  it("is usable at 390 px: the sign-in form fits and signs in", async () => {
    const p = await h.newPage(NARROW);
    await p.page.goto(h.url);
    await screenshot(p, "sign-in");
    await expectAccessible(p, "the sign-in page at 390 px");
    await h.signIn(p);
    await screenshot(p, "configuration-empty");
    expectCleanConsole(p);
  });
});
