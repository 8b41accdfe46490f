import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";
import { systemClock } from "../../src/core/clock.ts";
import { openDatabase } from "../../src/db/database.ts";
import { ProfileIngestor } from "../../src/profiles/profile-ingestor.ts";

const dir = mkdtempSync(join(tmpdir(), "pf-dlq-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("profileflow dead-letters --domain D lists what could not be ingested, with the reason", async () => {
  const database = await openDatabase({ dataDir: dir });
  const ticket = async () => ({
    ObjectTypeName: "Ticket",
    Description: "tickets",
    AllowProfileCreation: false,
    Fields: { id: { Source: "_source.id" } },
    Keys: {
      _ticketId: [{ StandardIdentifiers: ["UNIQUE" as const, "PROFILE" as const], FieldNames: ["id"] }],
    },
  });
  const types = { get: ticket, getIn: ticket };
  await new ProfileIngestor(database, types, systemClock).ingestObjects("d1", "Ticket", [
    { id: "T-9" },
    "{bad",
  ]);
  await database.close();

  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await (await buildProgram()).parseAsync([
      "node",
      "profileflow",
      "dead-letters",
      "--domain",
      "d1",
      "-d",
      dir,
    ]);
    await (await buildProgram()).parseAsync([
      "node",
      "profileflow",
      "dead-letters",
      "--domain",
      "d1",
      "-d",
      dir,
      "--json",
    ]);
  } finally {
    write.mockRestore();
  }
  const text = lines.join("");
  expect(text).toMatch(/Ticket {2}T-9 {2}NO_MATCHING_PROFILE: /);
  expect(text).toMatch(/OBJECT_NOT_JSON/);
  const json = text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { reasonCode: string; object: string });
  expect(json.map((d) => d.reasonCode).sort()).toEqual(["NO_MATCHING_PROFILE", "OBJECT_NOT_JSON"]);
  expect(json.find((d) => d.reasonCode === "OBJECT_NOT_JSON")?.object).toBe("{bad");
});
