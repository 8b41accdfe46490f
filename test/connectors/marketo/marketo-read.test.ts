import { afterEach, describe, expect, it } from "vitest";
import type { KnobsPatch } from "../../../src/sandbox/core/index.ts";
import type {
  MarketoSandbox,
  MarketoSandboxOptions,
} from "../../../src/sandbox/marketo/start-marketo-sandbox.ts";
import { admin, connect, keys, readAll, replay, sandbox, truth } from "./harness.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
async function setup(people?: number, knobs?: KnobsPatch, extra?: Partial<MarketoSandboxOptions>) {
  const sb = await sandbox(people, knobs, extra);
  open.push(sb);
  return sb;
}
function conn(
  sb: MarketoSandbox,
  ...rest: Parameters<typeof connect> extends [unknown, ...infer R] ? R : never
) {
  const c = connect(sb, ...rest);
  open.push(c.connector);
  return c;
}

describe("Marketo windowed reads (Bulk Lead Extract) against the sandbox", () => {
  it("returns exactly the ground-truth leads of a window spanning several 30-day jobs, any page size", async () => {
    const sb = await setup();
    const { connector } = conn(sb);
    const from = sb.world.historyStart + 200 * DAY + 12_345; // not on a second boundary
    const to = sb.world.historyStart + 300 * DAY + 999;
    const expected = await truth(sb, from, to);
    expect(expected.length).toBeGreaterThan(10);
    for (const pageSize of [4, 300]) {
      const pages = await readAll(connector, { object: "leads", window: { from, to }, pageSize });
      expect(keys(pages), `page size ${pageSize}`).toEqual(expected);
      expect(pages.at(-1)!.done).toBe(true);
      expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
    }
    expect((await admin(sb, "GET", "limits")).violations).toBe(0);
  });
});
