import type { ConnectorProfileConfig } from "@aws-sdk/client-appflow";
import {
  CreateDomainCommand,
  ListProfileObjectsCommand,
  type Profile,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, beforeAll, expect, it } from "vitest";
import { systemTimer } from "../../src/connectors/sdk/index.ts";
import type { Clock } from "../../src/core/clock.ts";
import {
  type InstanceLimitSettings,
  InstanceLimits,
} from "../../src/flows/instance-limits/instance-limits.ts";
import type { KnobsPatch } from "../../src/sandbox/core/knobs.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import type { TestServer } from "../helpers/test-server.ts";
import {
  CLOCK_BEHIND_MS,
  connect,
  deadLetters,
  FAULTS,
  integrate,
  nextRun,
  nthRun,
  objectKeys,
  type SourceSpec,
  search,
  serverOn,
} from "./integration-harness.ts";
import { SandboxAdmin } from "./sandbox-admin.ts";

const DAY = 86_400_000;

/** A running simulator as these tests need it. */
export interface RunningSource {
  url: string;
  world: { historyEnd: number; clock: Clock };
  close(): Promise<void>;
}

/** One source's acceptance scenario: its person object, optionally a case/asset object joining it. */
export interface SyncCase<S extends RunningSource = RunningSource> {
  title: string;
  start(o: { seed: number; people: number; clock: { start: number }; knobs: KnobsPatch }): Promise<S>;
  connectorType: SourceSpec["connectorType"];
  /** The connector profile config (may create a Secrets Manager secret first). */
  profileConfig(sb: S, t: TestServer): Promise<ConnectorProfileConfig>;
  person: SourceSpec;
  /** The person object's UNIQUE key name (`_serviceNowSystemId`). */
  personKey: string;
  /** A case/asset object whose truth profileKey is the person's key. */
  child?: SourceSpec;
  /** A change to an ingested person, and how the profile shows it. */
  change: { fields: Record<string, unknown>; shows: (p: Profile | undefined) => unknown; expected: unknown };
  /** Any change that brings a record stamped before FirstExecutionFrom into the sync. */
  touch: Record<string, unknown>;
  /**
   * A change that makes the person record unusable, and the dead letter's reason code; absent when the
   * simulator can render no such record (every Marketo lead it serves has an id and an updatedAt).
   */
  bad?: { fields: Record<string, unknown>; reasonCode: string; recordsProcessed: number };
  /** Fault knobs instead of FAULTS (a bearer-only connection cannot survive injected token expiry). */
  knobs?: KnobsPatch;
  /** The instance's shared limits, as an operator configures them (default: the connector type's). */
  instanceLimits?: InstanceLimitSettings;
  /** How many people the sandbox holds. */
  people?: number;
}

/** Registers the acceptance test of one source on SQLite and PostgreSQL. */
export function describeSourceSync<S extends RunningSource>(c: SyncCase<S>): void {
  describeEachDialect(`${c.title}: scheduled incremental sync, faults on`, (dialect) => {
    let t: TestServer;
    let sb: S;
    let admin: SandboxAdmin;
    beforeAll(async () => {
      sb = await c.start({
        seed: 21,
        people: c.people ?? 400,
        clock: { start: Date.now() - CLOCK_BEHIND_MS },
        knobs: c.knobs ?? FAULTS,
      });
      admin = new SandboxAdmin(sb.url);
      t = await serverOn(dialect, sb.world.clock);
      if (c.instanceLimits) {
        const limits = new InstanceLimits({
          db: t.server.database.db,
          clock: sb.world.clock,
          timer: systemTimer,
        });
        await limits.configure(c.connectorType, sb.url, c.instanceLimits);
      }
    });
    afterAll(async () => {
      await t?.close();
      await sb?.close();
    });

    it("ingests the truth since FirstExecutionFrom, then a change, a deletion and a bad record, each told apart", async () => {
      const D = "sync";
      const from = sb.world.historyEnd - 240 * DAY;
      const flows = ["persons", ...(c.child ? ["children"] : [])];
      const personObject = c.person.object;
      // An equal-timestamp burst inside the window: pages must split it without losing or repeating rows.
      expect(await admin.burst(personObject, 60, from + DAY)).toBe(60);
      await connect(t, "conn", c.connectorType, await c.profileConfig(sb, t));
      await t.profiles.send(new CreateDomainCommand({ DomainName: D, DefaultExpirationDays: 365 }));
      await integrate(t, {
        domain: D,
        flowName: "persons",
        connectorProfileName: "conn",
        source: c.person,
        from,
      });
      if (c.child)
        await integrate(t, {
          domain: D,
          flowName: "children",
          connectorProfileName: "conn",
          source: c.child,
          from,
        });

      const t0 = Date.now();
      const mark = (what: string) =>
        process.env["E2E_TRACE"] && console.log(`${what} +${Date.now() - t0} ms`);
      // 1. The first run ingests exactly the truth stamped at or after FirstExecutionFrom.
      const r1 = await nthRun(t, "persons", 1);
      if (c.child) await nthRun(t, "children", 1);
      mark("r1");
      const expected = await admin.liveSince(personObject, from);
      expect(expected.length).toBeGreaterThan(60);
      expect(r1.executionStatus).toBe("Successful");
      expect(await objectKeys(t, D, c.person.objectTypeName)).toEqual(expected);
      expect(r1.executionResult?.recordsProcessed).toBe(expected.length);
      expect(r1.executionResult?.errorInfo?.putFailuresCount).toBe(0);
      expect(r1.dataPullStartTime?.getTime()).toBe(from);

      let callers = new Set<string>();
      let joined: { id: string; person: string; profileId: string } | undefined;
      if (c.child) {
        const childTruth = (await admin.truth(c.child.object)).filter((r) => !r.deleted && r.stamp >= from);
        expect(await objectKeys(t, D, c.child.objectTypeName)).toEqual(childTruth.map((r) => r.id).sort());
        // A case joins its person's profile through the person key it carries.
        callers = new Set(childTruth.map((i) => i.profileKey.value));
        const one = childTruth.find((i) => expected.includes(i.profileKey.value))!;
        const profileId = (await search(t, D, c.personKey, one.profileKey.value))[0]!.ProfileId!;
        const objs = await t.profiles.send(
          new ListProfileObjectsCommand({
            DomainName: D,
            ProfileId: profileId,
            ObjectTypeName: c.child.objectTypeName,
          }),
        );
        expect(objs.Items?.map((o) => o.ProfileObjectUniqueKey)).toContain(one.id);
        joined = { id: one.id, person: one.profileKey.value, profileId };
      }

      // 2. Changes made in the sandbox appear after the next scheduled run: an ingested person, and one
      // stamped before FirstExecutionFrom that the change brings into the sync.
      const [changed, deleted, bad] = expected.filter((id) => !callers.has(id));
      const old = (await admin.truth(personObject)).find((r) => !r.deleted && r.stamp < from)!;
      await admin.change(personObject, changed!, c.change.fields);
      await admin.change(personObject, old.id, c.touch);
      const r2 = await nextRun(t, admin, ...(flows as [string, ...string[]]));
      mark("r2");
      expect(r2.executionStatus).toBe("Successful");
      expect(r2.executionResult?.recordsProcessed).toBe(2);
      expect(r2.dataPullStartTime!.getTime()).toBeLessThanOrEqual(r1.dataPullEndTime!.getTime());
      expect(r2.dataPullEndTime!.getTime()).toBeGreaterThan(r1.dataPullEndTime!.getTime());
      expect(c.change.shows((await search(t, D, c.personKey, changed!))[0])).toEqual(c.change.expected);
      expect(await objectKeys(t, D, c.person.objectTypeName)).toEqual([...expected, old.id].sort());

      // 3. A deletion removes the object; the profile it alone fed is deleted. A case's deletion leaves
      // its person's profile, with the person's own object.
      await admin.remove(personObject, deleted!);
      if (c.child && joined) await admin.remove(c.child.object, joined.id);
      const r3 = await nextRun(t, admin, ...(flows as [string, ...string[]]));
      mark("r3");
      expect(r3.executionStatus).toBe("Successful");
      expect(r3.executionResult?.recordsProcessed).toBe(0);
      expect(r3.executionResult?.errorInfo?.executionMessage).toMatch(/ 1 deletions/);
      expect(await search(t, D, c.personKey, deleted!)).toHaveLength(0);
      expect(await objectKeys(t, D, c.person.objectTypeName)).not.toContain(deleted);
      if (c.child && joined) {
        expect(await objectKeys(t, D, c.child.objectTypeName)).not.toContain(joined.id);
        expect((await search(t, D, c.personKey, joined.person))[0]?.ProfileId).toBe(joined.profileId);
      }

      // 4. A record the connector or the template cannot use is a dead letter; the run still succeeds.
      const runs = [r1, r2, r3];
      if (c.bad) {
        await admin.change(personObject, bad!, c.bad.fields);
        const r4 = await nextRun(t, admin, ...(flows as [string, ...string[]]));
        mark("r4");
        expect(r4.executionStatus).toBe("Successful");
        const letters = await deadLetters(t, D);
        expect(letters.map((l) => [l.ObjectTypeName, l.ReasonCode])).toEqual([
          [c.person.objectTypeName, c.bad.reasonCode],
        ]);
        runs.push(r4);
      }

      // 5. The execution records tell the four runs apart.
      const summary = runs.map((r) => ({
        records: r.executionResult?.recordsProcessed,
        failures: r.executionResult?.errorInfo?.putFailuresCount,
        deletions: /(\d+) deletions/.exec(r.executionResult?.errorInfo?.executionMessage ?? "")?.[1],
      }));
      expect(summary).toEqual([
        { records: expected.length, failures: 0, deletions: "0" },
        { records: 2, failures: 0, deletions: "0" },
        { records: 0, failures: 0, deletions: "1" },
        ...(c.bad ? [{ records: c.bad.recordsProcessed, failures: 1, deletions: "0" }] : []),
      ]);
    }, 60_000);
  });
}
