import {
  GetIdentityResolutionJobCommand,
  type GetIdentityResolutionJobCommandOutput,
  UpdateDomainCommand,
} from "@aws-sdk/client-customer-profiles";
import { DEMO_SOURCES } from "../../src/demo/demo-sources.ts";
import type { Sandboxes } from "../../src/sandbox/start-sandboxes.ts";
import { until } from "../e2e/integration-harness.ts";
import { SandboxAdmin } from "../e2e/sandbox-admin.ts";
import { signedFetch } from "../helpers/signed-fetch.ts";
import type { TestServer } from "../helpers/test-server.ts";

/**
 * ML matching against the sandbox's truth (test/api/matching-ml-truth.test.ts, bench/matching-truth.ts):
 * turn Matching on for a domain the population was ingested into, run an identity resolution job on
 * demand, and see how often its scores are right.
 */

/**
 * UpdateDomain with `Matching` enabled (auto-merging above `mergeAbove`; `"default"`: auto-merging without
 * MinAllowedConfidenceScoreForMerging; undefined: off), then one job run to its end.
 */
export async function runMlJob(
  t: TestServer,
  domain: string,
  mergeAbove: number | "default" | undefined,
  waitMs = 600_000,
): Promise<GetIdentityResolutionJobCommandOutput> {
  await t.profiles.send(
    new UpdateDomainCommand({
      DomainName: domain,
      Matching: {
        Enabled: true,
        AutoMerging:
          mergeAbove === undefined
            ? { Enabled: false }
            : {
                Enabled: true,
                ConflictResolution: { ConflictResolvingModel: "RECENCY" },
                ...(mergeAbove === "default" ? {} : { MinAllowedConfidenceScoreForMerging: mergeAbove }),
              },
      },
    }),
  );
  const res = await signedFetch(t.endpoint, {
    method: "POST",
    path: `/domains/${domain}/identity-resolution-jobs`,
    credentials: t.credentials,
  });
  if (res.status !== 200) throw new Error(`StartIdentityResolutionJob: ${res.status} ${await res.text()}`);
  const { JobId } = (await res.json()) as { JobId: string };
  const job = await until(
    `identity resolution job ${JobId}`,
    async () => {
      const j = await t.profiles.send(new GetIdentityResolutionJobCommand({ DomainName: domain, JobId }));
      return ["COMPLETED", "PARTIAL_SUCCESS", "FAILED"].includes(j.Status ?? "") ? j : undefined;
    },
    waitMs,
  );
  if (job.Status !== "COMPLETED") throw new Error(`job ${JobId}: ${job.Status} ${job.Message ?? ""}`);
  return job;
}

/** One score band: the job's matches in it, and how many of them are one person. */
export interface CalibrationBand {
  from: number;
  to: number;
  matches: number;
  samePerson: number;
  /** Up to 3 matches of two people in this band: what each compared field said. */
  wrong: unknown[];
  /** One match of the band, what each compared field said. */
  example?: unknown;
}

/**
 * How the latest job's scores compare with the truth: its matches (pairs of profiles) in score bands,
 * each counted right when the two profiles hold records of one person (the domain must hold profiles
 * of one person each: keys only, or rules whose precision is 1).
 */
export async function calibration(
  t: TestServer,
  sandboxes: Sandboxes,
  domain: string,
  bands = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0000001],
): Promise<CalibrationBand[]> {
  const db = t.server.database.db;
  const personOfRecord = new Map<string, string>();
  for (const s of DEMO_SOURCES) {
    const admin = new SandboxAdmin(sandboxes.servers[s.vendor]!.url);
    for (const row of await admin.truth(s.object))
      personOfRecord.set(`${s.objectTypeName}\u0000${row.id}`, row.personId);
  }
  const people = new Map<string, Set<string>>();
  for (const o of await db
    .selectFrom("profile_objects")
    .select(["object_type_name", "object_key", "profile_id"])
    .where("domain_name", "=", domain)
    .execute()) {
    const person = personOfRecord.get(`${o.object_type_name}\u0000${o.object_key}`);
    if (person) people.set(o.profile_id, (people.get(o.profile_id) ?? new Set()).add(person));
  }
  const job = await db
    .selectFrom("identity_resolution_jobs")
    .select("job_id")
    .where("domain_name", "=", domain)
    .where("status", "=", "COMPLETED")
    .orderBy("job_id", "desc")
    .executeTakeFirstOrThrow();
  const matches = await db
    .selectFrom("ml_matches")
    .select(["profile_a", "profile_b", "score", "detail"])
    .where("domain_name", "=", domain)
    .where("job_id", "=", job.job_id)
    .execute();
  const out: CalibrationBand[] = [];
  for (let i = 0; i + 1 < bands.length; i++)
    out.push({ from: bands[i]!, to: bands[i + 1]!, matches: 0, samePerson: 0, wrong: [] });
  for (const m of matches) {
    const band = out.find((b) => Number(m.score) >= b.from && Number(m.score) < b.to);
    if (!band) continue;
    band.matches++;
    band.example ??= (JSON.parse(m.detail) as { Fields: unknown }).Fields;
    const a = people.get(m.profile_a);
    const b = people.get(m.profile_b);
    if (a && b && [...a].some((p) => b.has(p))) band.samePerson++;
    else if (band.wrong.length < 3) band.wrong.push((JSON.parse(m.detail) as { Fields: unknown }).Fields);
  }
  return out;
}

/** One line per band. */
export function formatCalibration(label: string, bands: readonly CalibrationBand[]): string {
  return [
    `${label}: the job's matches by score, and the share that are one person`,
    ...bands.map(
      (b) =>
        `  [${b.from}, ${Math.min(1, b.to)}${b.to > 1 ? "]" : ")"}: ${b.matches} matches, ${b.samePerson} one person (${
          b.matches ? (b.samePerson / b.matches).toFixed(4) : "-"
        })`,
    ),
    ...bands.flatMap((b) => (b.example ? [`  e.g. at ≥ ${b.from}: ${JSON.stringify(b.example)}`] : [])),
    ...bands.flatMap((b) => b.wrong.map((w) => `  two people at ≥ ${b.from}: ${JSON.stringify(w)}`)),
  ].join("\n");
}
