import { afterEach, expect, it } from "vitest";
import { startZendeskSandbox, type ZendeskSandbox } from "../../src/sandbox/zendesk/start-zendesk-sandbox.ts";

const running: ZendeskSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(seed: number, port?: number): Promise<ZendeskSandbox> {
  const sb = await startZendeskSandbox({ seed, people: 5, ...(port ? { port } : {}) });
  running.push(sb);
  return sb;
}

const me = async (sb: ZendeskSandbox, token: string) =>
  (await fetch(`${sb.url}/api/v2/users/me.json`, { headers: { authorization: `Bearer ${token}` } })).status;

it("keeps the OAuth token it handed out across a restart, as a Zendesk account does; later tokens are gone", async () => {
  const first = await start(4);
  const issued = (await (
    await fetch(`${first.url}/oauth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: first.credentials.clientId,
        client_secret: first.credentials.clientSecret,
      }),
    })
  ).json()) as { access_token: string };
  expect(await me(first, issued.access_token)).toBe(200);
  const port = Number(new URL(first.url).port);
  await running.pop()?.close();

  const again = await start(4, port);
  expect(again.credentials.accessToken).toBe(first.credentials.accessToken);
  expect(again.credentials.refreshToken).toBe(first.credentials.refreshToken);
  expect(await me(again, first.credentials.accessToken)).toBe(200);
  expect(await me(again, issued.access_token)).toBe(401);

  const other = await start(5);
  expect(other.credentials.accessToken).not.toBe(first.credentials.accessToken);
  expect(await me(other, first.credentials.accessToken)).toBe(401);
});
