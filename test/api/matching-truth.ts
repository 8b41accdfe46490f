import { CreateDomainCommand, GetDomainCommand } from "@aws-sdk/client-customer-profiles";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type IdentityScore, scoreIdentity } from "../../src/demo/demo-identity.ts";
import { connectorProfileConfig, DEMO_SOURCES } from "../../src/demo/demo-sources.ts";
import type { Sandboxes } from "../../src/sandbox/start-sandboxes.ts";
import { DomainKeys } from "../../src/security/kms/domain-keys.ts";
import { connect, executions, integrate, until } from "../e2e/integration-harness.ts";
import { SandboxAdmin } from "../e2e/sandbox-admin.ts";
import type { TestServer } from "../helpers/test-server.ts";

/**
 * Ground truth for identity resolution: the sandbox population ingested through real integrations
 * (the demo's four person objects, every record since the history's start), then every pair of records
 * from two different sources scored against the sandbox's truth (`/__sandbox/truth/{object}`, the
 * person behind each record). Used by test/api/matching-truth.test.ts and bench/matching-truth.ts.
 */

/** Pairwise cross-source figures (scoreIdentity's, the demo's own), plus what the domain holds. */
export interface PairwiseScore extends IdentityScore {
  /** Records the domain holds (of the four person objects). */
  records: number;
  profiles: number;
  /** Up to 5 profiles holding records of several people (what precision lost), with their merge causes. */
  joinedPeople: { profileId: string; people: string[]; causes: unknown[] }[];
}

/** Integrates the demo's four sources into `domain` (created with `ruleBasedMatching`) and waits for the first runs. */
export async function ingestPopulation(
  t: TestServer,
  sandboxes: Sandboxes,
  domain: string,
  ruleBasedMatching: Record<string, unknown> | undefined,
  waitMs = 120_000,
): Promise<void> {
  await t.profiles.send(
    new CreateDomainCommand({
      DomainName: domain,
      DefaultExpirationDays: 366,
      ...(ruleBasedMatching ? { RuleBasedMatching: ruleBasedMatching as never } : {}),
    }),
  );
  const secrets = new SecretsManagerClient({
    endpoint: t.endpoint,
    region: "us-east-1",
    credentials: t.credentials,
  });
  const sf = sandboxes.credentials["salesforce"]!;
  const secret = await secrets.send(
    new CreateSecretCommand({
      Name: `${domain}/sf-app`,
      SecretString: JSON.stringify({ clientId: sf["clientId"], clientSecret: sf["clientSecret"] }),
    }),
  );
  secrets.destroy();
  for (const s of DEMO_SOURCES) {
    const name = `${domain}-${s.vendor}`;
    await connect(
      t,
      name,
      s.connectorType,
      connectorProfileConfig(s, sandboxes.credentials[s.vendor]!, secret.ARN),
    );
    await integrate(t, {
      domain,
      flowName: `${domain}-${s.flowName}`,
      connectorProfileName: name,
      from: sandboxes.world.historyStart,
      source: {
        connectorType: s.connectorType as "Salesforce",
        propertiesKey: s.propertiesKey,
        object: s.object,
        objectTypeName: s.objectTypeName,
        cursor: s.cursorField,
      },
    });
  }
  for (const s of DEMO_SOURCES) {
    const flow = `${domain}-${s.flowName}`;
    const run = await until(
      `the first run of ${flow}`,
      async () => {
        const first = (await executions(t, flow))[0];
        return first && first.executionStatus !== "InProgress" ? first : undefined;
      },
      waitMs,
    );
    if (run.executionStatus !== "Successful")
      throw new Error(`${flow}: ${run.executionStatus} ${JSON.stringify(run.executionResult)}`);
  }
}

/** Scores the domain's profiles against the sandboxes' truth. */
export async function scoreAgainstTruth(
  t: TestServer,
  sandboxes: Sandboxes,
  domain: string,
): Promise<PairwiseScore> {
  const db = t.server.database.db;
  const stored = await db
    .selectFrom("profile_objects")
    .select(["object_type_name", "object_key", "profile_id"])
    .where("domain_name", "=", domain)
    .execute();
  const profileOf = new Map(stored.map((r) => [`${r.object_type_name}\u0000${r.object_key}`, r.profile_id]));
  // Each held record: its source, person and profile.
  const records: { source: string; person: string; profile: string }[] = [];
  for (const s of DEMO_SOURCES) {
    const admin = new SandboxAdmin(sandboxes.servers[s.vendor]!.url);
    for (const row of await admin.truth(s.object)) {
      const profile = profileOf.get(`${s.objectTypeName}\u0000${row.id}`);
      if (profile !== undefined) records.push({ source: s.vendor, person: row.personId, profile });
    }
  }
  if (records.length !== stored.length)
    throw new Error(`${stored.length} objects stored, ${records.length} found in the truth`);
  const score = scoreIdentity(records);
  const stats = (await t.profiles.send(new GetDomainCommand({ DomainName: domain }))).Stats;
  const peopleOf = new Map<string, Set<string>>();
  for (const r of records) peopleOf.set(r.profile, (peopleOf.get(r.profile) ?? new Set()).add(r.person));
  const joinedPeople = [];
  const boxes = await new DomainKeys(t.server.kms, null).boxesIn(db, domain);
  for (const [profileId, set] of peopleOf) {
    if (set.size < 2 || joinedPeople.length >= 5) continue;
    const merges = await db
      .selectFrom("profile_merges")
      .select("cause")
      .where("domain_name", "=", domain)
      .where("main_profile_id", "=", profileId)
      .execute();
    joinedPeople.push({
      profileId,
      people: [...set],
      // The cause is sealed under the domain's data key in an encrypted domain.
      causes: merges.map((m) => JSON.parse(boxes.at("profile_merges.cause").open(m.cause)) as unknown),
    });
  }
  return {
    records: records.length,
    profiles: stats?.ProfileCount ?? 0,
    ...score,
    joinedPeople,
  };
}

/** One line per figure, for a test's or benchmark's output. */
export function formatScore(label: string, s: PairwiseScore): string {
  return [
    `${label}: ${s.records} records of ${s.people} people (${s.peopleInSeveralSources} in 2+ sources) → ${s.profiles} profiles`,
    `  people unified: ${s.peopleUnified} of ${s.peopleInSeveralSources}`,
    `  cross-source pairs: truth ${s.truePairs}, predicted ${s.predictedPairs}, correct ${s.correctPairs}`,
    `  recall ${s.recall.toFixed(4)}  precision ${s.precision.toFixed(4)}`,
    ...s.joinedPeople.map(
      (j) => `  profile ${j.profileId} holds ${j.people.join(" + ")}: ${JSON.stringify(j.causes)}`,
    ),
  ].join("\n");
}
