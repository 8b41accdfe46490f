import {
  CreateDomainCommand,
  GetProfileHistoryRecordCommand,
  ListProfileHistoryRecordsCommand,
  ListProfileObjectsCommand,
  PutProfileObjectCommand,
  PutProfileObjectTypeCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { signupObjectType } from "../helpers/servicenow-resources.ts";
import { describeEachDialect } from "../helpers/test-database.ts";
import { startTestServer, type TestServer } from "../helpers/test-server.ts";

/**
 * Concurrent PutProfileObject calls share transactions (ObjectPutBatcher): fewer batches than puts,
 * yet each call is answered with its own object's key, every object is stored once, objects of one
 * batch see each other as consecutive puts would, and a bad object is dead-lettered without failing
 * the puts it was batched with. (bench/search-latency.ts measures it with clients in another process.)
 */
describeEachDialect("PutProfileObject group commit", (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect);
  });
  afterAll(async () => s?.close());
  afterEach(() => vi.restoreAllMocks());

  const put = (DomainName: string, object: object) =>
    s.profiles.send(
      new PutProfileObjectCommand({
        DomainName,
        ObjectTypeName: "Salesforce-Contact",
        Object: JSON.stringify(object),
      }),
    );

  it("40 concurrent puts: fewer batches than puts, each answered with its own key, all stored, later ones matching earlier ones", async () => {
    const DomainName = "group-commit";
    await s.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    await s.profiles.send(new PutProfileObjectTypeCommand(signupObjectType(DomainName)));
    const batches = vi.spyOn(s.server.profiles.ingestor, "ingestObjects");
    const ids = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(3, "0")}`);
    // Pairs of signups share an email: whichever of a pair comes second joins the first's profile, in
    // the same batch or not.
    const answers = await Promise.all(
      ids.map((id, i) =>
        s.profiles.send(
          new PutProfileObjectCommand({
            DomainName,
            ObjectTypeName: "Signup",
            Object: JSON.stringify({ id, email: `pair${i >> 1}@example.com` }),
          }),
        ),
      ),
    );
    // On PostgreSQL the puts overlap in the server (a write waits on the database) and share batches;
    // on SQLite a write never yields to I/O, and with the client in this process they arrive one by one.
    if (dialect === "postgres") {
      expect(batches.mock.calls.length).toBeLessThan(ids.length);
      expect(batches.mock.calls.some(([, , objects]) => objects.length > 1)).toBe(true);
    }
    expect(answers.map((a) => a.ProfileObjectUniqueKey)).toEqual(ids);

    const profiles = new Map<string, string[]>();
    for (const id of ids) {
      const found = await s.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_signupId", Values: [id] }),
      );
      expect(found.Items, id).toHaveLength(1);
      const profileId = found.Items![0]!.ProfileId!;
      profiles.set(profileId, [...(profiles.get(profileId) ?? []), id]);
    }
    // 20 profiles of two signups each, every signup stored once.
    expect([...profiles.values()].map((p) => p.length)).toEqual(Array(20).fill(2));
    for (const [ProfileId, held] of profiles) {
      const objects = await s.profiles.send(
        new ListProfileObjectsCommand({ DomainName, ProfileId, ObjectTypeName: "Signup" }),
      );
      expect(objects.Items!.map((o) => JSON.parse(o.Object!).id).sort()).toEqual(held.sort());
    }
  });

  it("puts received together share one batch; a bad object among them is dead-lettered alone, the others stored", async () => {
    const DomainName = "group-commit-bad";
    await s.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    const batches = vi.spyOn(s.server.profiles.ingestor, "ingestObjects");
    const objects = Array.from({ length: 12 }, (_, i) =>
      i === 5 ? { FirstName: "NoId" } : { Id: `003B${i}`, FirstName: `F${i}`, Email: `b${i}@example.com` },
    );
    // The service as the edge calls it, twelve calls at once: they share batches (on SQLite one batch;
    // on PostgreSQL each call first reads the domain, and the reads come back over a few turns).
    const answers = await Promise.all(
      objects.map((o) =>
        s.server.profileService.putObject(DomainName, "Salesforce-Contact", JSON.stringify(o), "tester"),
      ),
    );
    const sizes = batches.mock.calls.map(([, , batch]) => batch.length);
    expect(sizes.reduce((a, b) => a + b)).toBe(12);
    expect(sizes.length).toBeLessThan(dialect === "sqlite" ? 2 : 12);
    expect(answers.map((a) => [a.accepted, a.deadLettered, a.results.length])).toEqual(
      objects.map((_, i) => (i === 5 ? [0, 1, 1] : [1, 0, 1])),
    );
    expect(answers.map((a) => a.results[0]!.profileObjectUniqueKey).filter((_, i) => i !== 5)).toEqual(
      objects.filter((_, i) => i !== 5).map((o) => o.Id),
    );
    const letters = await s.server.profiles.deadLetters.list(
      s.server.database.db,
      DomainName,
      {},
      { maxResults: 10 },
    );
    expect(letters.items).toHaveLength(1);
    expect(JSON.parse(letters.items[0]!.object)).toEqual({ FirstName: "NoId" });
    for (const [i, o] of objects.entries()) {
      if (i === 5) continue;
      const found = await s.profiles.send(
        new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: [o.Id!] }),
      );
      expect(found.Items, o.Id).toHaveLength(1);
    }
  });

  it("two versions put together are listed newest first in the profile's history, as two puts one after the other", async () => {
    const DomainName = "group-commit-history";
    await s.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    const version = (v: number) =>
      JSON.stringify({ Id: "003H", FirstName: `V${v}`, SystemModstamp: `2026-01-0${v}T00:00:00.000Z` });
    const batches = vi.spyOn(s.server.profiles.ingestor, "ingestObjects");
    await Promise.all(
      [1, 2].map((v) =>
        s.server.profileService.putObject(DomainName, "Salesforce-Contact", version(v), "tester"),
      ),
    );
    // On SQLite both reach the batcher in order and go in one batch (one time for both). On PostgreSQL
    // each put first reads the domain, so they may arrive in either order and in two batches: the
    // older version, arriving second, is then ignored. The order within one batch is what is tested.
    if (dialect === "postgres") return;
    expect(batches.mock.calls.map(([, , o]) => o.length)).toEqual([2]);
    const found = await s.profiles.send(
      new SearchProfilesCommand({ DomainName, KeyName: "_salesforceContactId", Values: ["003H"] }),
    );
    const ProfileId = found.Items![0]!.ProfileId!;
    const history = await s.profiles.send(new ListProfileHistoryRecordsCommand({ DomainName, ProfileId }));
    const contents = [];
    for (const r of history.ProfileHistoryRecords!) {
      const record = await s.profiles.send(
        new GetProfileHistoryRecordCommand({ DomainName, ProfileId, Id: r.Id! }),
      );
      contents.push(JSON.parse(record.Content!));
    }
    // The second version replaced the first, which created the profile: newest first.
    expect(contents).toHaveLength(2);
    expect(contents[0]).toMatchObject({ ReplacedObject: true });
    expect(contents[1]).toMatchObject({ ProfileCreated: true });
  });

  it("puts waiting for their batch when the domain is deleted fail with the domain's ResourceNotFound", async () => {
    const DomainName = "group-commit-deleted";
    await s.profiles.send(new CreateDomainCommand({ DomainName, DefaultExpirationDays: 365 }));
    // The batch is held until the domain is gone, then written.
    const ingest = s.server.profiles.ingestor.ingestObjects.bind(s.server.profiles.ingestor);
    vi.spyOn(s.server.profiles.ingestor, "ingestObjects").mockImplementation(async (...args) => {
      await s.server.domains.delete(DomainName);
      return ingest(...args);
    });
    const outcomes = await Promise.all(
      [1, 2, 3].map((i) =>
        s.server.profileService
          .putObject(DomainName, "Salesforce-Contact", JSON.stringify({ Id: `003D${i}` }), "tester")
          .then(
            () => undefined,
            (e: unknown) => e as { code?: string; message?: string },
          ),
      ),
    );
    expect(outcomes).toHaveLength(3);
    for (const e of outcomes) {
      expect(e).toMatchObject({ code: "RESOURCE_NOT_FOUND", message: `Domain ${DomainName} does not exist` });
    }
  });
});
