import { z } from "zod";
import { toEpochSeconds } from "../../core/clock.ts";
import { notFound } from "../../core/errors.ts";
import type { IdentityResolutionJob } from "../../profiles/matching/identity-resolution-store.ts";
import type { DomainLookup } from "../../profiles/object-type-source.ts";
import type { IdentityResolutionService } from "../../services/identity-resolution-service.ts";
import type { Operation, OperationContext } from "../operation.ts";
import { parseInput } from "../validate.ts";
import { encodePageToken, nextToken, pageRequest } from "./pagination.ts";
import { requireDomain } from "./profile-schema.ts";

export interface IdentityResolutionDeps {
  domains: DomainLookup;
  /** ML matching's jobs and their matches (src/services/identity-resolution-service.ts). */
  identityResolution: Pick<
    IdentityResolutionService,
    "start" | "job" | "jobs" | "latestMatches" | "autoMergingPreview"
  >;
}

/** How long a job's record is said to be kept (JobExpirationTime): AWS documents no figure. */
const JOB_RETENTION_MS = 30 * 24 * 3600_000;

const jobIdSchema = z.string().regex(/^[a-f0-9]{32}$/, "must match [a-f0-9]{32}");
const s255 = z.string().min(1).max(255);
const previewSchema = z.object({
  Consolidation: z.object({
    MatchingAttributesList: z.array(z.array(s255).min(1).max(20)).min(1).max(10),
  }),
  ConflictResolution: z.object({
    ConflictResolvingModel: z.enum(["RECENCY", "SOURCE"]),
    SourceName: s255.optional(),
  }),
  MinAllowedConfidenceScoreForMerging: z.number().min(0).max(1).optional(),
});

/**
 * ML matching's operations: GetIdentityResolutionJob, ListIdentityResolutionJobs, GetMatches (the
 * latest finished job's matches, in groups), GetAutoMergingPreview, and one extension (not in AWS, whose jobs run
 * only on their schedule): StartIdentityResolutionJob, `POST /domains/{DomainName}/identity-resolution-jobs`.
 */
export function identityResolutionOperations(deps: IdentityResolutionDeps): Operation[] {
  return [
    {
      name: "GetIdentityResolutionJob",
      method: "GET",
      path: "/domains/:DomainName/identity-resolution-jobs/:JobId",
      handler: (ctx) => getIdentityResolutionJob(deps, ctx),
    },
    {
      name: "ListIdentityResolutionJobs",
      method: "GET",
      path: "/domains/:DomainName/identity-resolution-jobs",
      handler: (ctx) => listIdentityResolutionJobs(deps, ctx),
    },
    {
      name: "StartIdentityResolutionJob",
      method: "POST",
      path: "/domains/:DomainName/identity-resolution-jobs",
      handler: async (ctx) => {
        const domain = await requireDomain(deps.domains, ctx.params);
        return { DomainName: domain, JobId: await deps.identityResolution.start(domain) };
      },
    },
    {
      name: "GetMatches",
      method: "GET",
      path: "/domains/:DomainName/matches",
      handler: (ctx) => getMatches(deps, ctx),
    },
    {
      name: "GetAutoMergingPreview",
      method: "POST",
      path: "/domains/:DomainName/identity-resolution-jobs/auto-merging-preview",
      handler: (ctx) => getAutoMergingPreview(deps, ctx),
    },
  ];
}

async function getIdentityResolutionJob(deps: IdentityResolutionDeps, ctx: OperationContext) {
  const domain = await requireDomain(deps.domains, ctx.params);
  const jobId = parseInput(jobIdSchema, ctx.params["JobId"], "JobId");
  const job = await deps.identityResolution.job(domain, jobId);
  if (!job) throw notFound(`Identity resolution job ${jobId} not found in domain ${domain}`);
  return {
    ...jobSummary(job),
    LastUpdatedAt: toEpochSeconds(job.updatedAt),
    ...(job.endedAt !== undefined
      ? { JobExpirationTime: toEpochSeconds(job.endedAt + JOB_RETENTION_MS) }
      : {}),
    ...(job.autoMerging ? { AutoMerging: job.autoMerging } : {}),
  };
}

async function listIdentityResolutionJobs(deps: IdentityResolutionDeps, ctx: OperationContext) {
  const domain = await requireDomain(deps.domains, ctx.params);
  const page = pageRequest(ctx.query, "ListIdentityResolutionJobs");
  const { items, more } = await deps.identityResolution.jobs(domain, page);
  return {
    IdentityResolutionJobsList: items.map(jobSummary),
    NextToken: nextToken(
      "ListIdentityResolutionJobs",
      items.map((j) => ({ key: j.jobId })),
      more,
    ),
  };
}

/** The latest finished job's matches in groups of profiles (none before a job has finished). */
async function getMatches(deps: IdentityResolutionDeps, ctx: OperationContext) {
  const domain = await requireDomain(deps.domains, ctx.params);
  const page = pageRequest(ctx.query, "GetMatches");
  // Groups of profiles, as AWS answers (each MatchId with every profile its matches link).
  const latest = await deps.identityResolution.latestMatches(domain, page);
  if (!latest) return { Matches: [], PotentialMatches: 0 };
  const { job, items, next, total } = latest;
  return {
    MatchGenerationDate: toEpochSeconds(job.endedAt ?? job.updatedAt),
    PotentialMatches: total,
    Matches: items.map((g) => ({ MatchId: g.matchId, ProfileIds: g.profileIds, ConfidenceScore: g.score })),
    // After the last group READ (a page may be short when merges emptied many groups), with its job.
    NextToken: next === undefined ? undefined : encodePageToken("GetMatches", next),
  };
}

async function getAutoMergingPreview(deps: IdentityResolutionDeps, ctx: OperationContext) {
  const domain = await requireDomain(deps.domains, ctx.params);
  const input = parseInput(previewSchema, ctx.body);
  const preview = await deps.identityResolution.autoMergingPreview(domain, {
    consolidation: input.Consolidation.MatchingAttributesList,
    ...(input.MinAllowedConfidenceScoreForMerging !== undefined
      ? { minScore: input.MinAllowedConfidenceScoreForMerging }
      : {}),
  });
  return {
    DomainName: domain,
    NumberOfMatchesInSample: preview.matchesInSample,
    NumberOfProfilesInSample: preview.profilesInSample,
    NumberOfProfilesWillBeMerged: preview.profilesWillBeMerged,
  };
}

function jobSummary(job: IdentityResolutionJob): Record<string, unknown> {
  return {
    DomainName: job.domainName,
    JobId: job.jobId,
    Status: job.status,
    ...(job.startedAt !== undefined ? { JobStartTime: toEpochSeconds(job.startedAt) } : {}),
    ...(job.endedAt !== undefined ? { JobEndTime: toEpochSeconds(job.endedAt) } : {}),
    JobStats: {
      NumberOfProfilesReviewed: job.reviewed,
      NumberOfMatchesFound: job.matchesFound,
      NumberOfMergesDone: job.mergesDone,
    },
    ...(job.message !== undefined ? { Message: job.message } : {}),
  };
}
