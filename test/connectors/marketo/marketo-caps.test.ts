import { afterEach, describe, expect, it } from "vitest";
import { maxFileChunkBytes } from "../../../src/connectors/marketo/read-bulk.ts";
import { isConnectorError } from "../../../src/connectors/sdk/index.ts";
import { admin, connect, readAll, sandbox } from "./harness.ts";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

describe("Marketo export files under a bound", () => {
  it("a lead row longer than the largest file chunk stops the read with a config error instead of growing without end", async () => {
    const sb = await sandbox(20);
    open.push(sb);
    const at = sb.world.historyEnd - 3_600_000;
    await admin(sb, "POST", "records/leads", {
      fields: { firstName: "x".repeat(maxFileChunkBytes + 1024) },
      at,
    });
    const c = connect(sb);
    open.push(c.connector);
    let failure: unknown;
    try {
      await readAll(c.connector, { object: "leads", window: { from: at - 60_000, to: at + 60_000 } });
    } catch (e) {
      failure = e;
    }
    expect(isConnectorError(failure, "config")).toBe(true);
    expect((failure as Error).message).toContain(`longer than ${maxFileChunkBytes} bytes`);
  });
});
