import { GetDomainCommand } from "@aws-sdk/client-customer-profiles";
import { failureAdvice } from "../flows/failure-advice.ts";
import type { Server } from "../main.ts";
import { type IdentityScore, identityAgainstTruth } from "./demo-identity.ts";
import type { DemoClients } from "./demo-setup.ts";
import { DEMO_SOURCES } from "./demo-sources.ts";
import type { TrackStatus } from "./demo-status.ts";

/** What the demo reports once it is caught up (also written to `<data>/summary.json`). */
export interface DemoSummary {
  at: string;
  domain: string;
  /** The ingestion start date: six months before the history's end. */
  since: string;
  historyEnd: string;
  profiles: number;
  objects: number;
  objectsBySource: Record<string, number>;
  /** Profiles holding objects of two or more sources. */
  joinedAcrossSources: number;
  /** People unified, against the sandboxes' ground truth (rule-based matching is on). */
  identity: IdentityScore;
  deadLetters: number;
  /** Records every source's flows processed in this run (a resumed run re-reads only the look-back). */
  ingestedThisRun: number;
  sources: TrackStatus[];
  sandboxes: Record<string, string>;
  endpoint: string;
}

/**
 * The summary: profile and object totals from GetDomain (the public API); the per-source split, the
 * cross-source joins and the dead letters from the profile service's census, which no AWS operation counts.
 */
export async function summarize(
  c: DemoClients,
  server: Server,
  context: Pick<DemoSummary, "domain" | "since" | "historyEnd" | "sandboxes" | "endpoint">,
  sources: TrackStatus[],
): Promise<DemoSummary> {
  const stats = (await c.profiles.send(new GetDomainCommand({ DomainName: context.domain }))).Stats;
  const census = await server.profileService.census(context.domain);
  const objectsBySource: Record<string, number> = {};
  for (const s of DEMO_SOURCES) objectsBySource[s.vendor] = census.objectsByType.get(s.objectTypeName) ?? 0;
  return {
    at: new Date().toISOString(),
    ...context,
    profiles: stats?.ProfileCount ?? 0,
    objects: stats?.ObjectCount ?? 0,
    objectsBySource,
    joinedAcrossSources: census.profilesOfSeveralTypes,
    identity: await identityAgainstTruth(server, context.domain, context.sandboxes),
    deadLetters: census.deadLetters,
    ingestedThisRun: sources.reduce((a, s) => a + s.recordsSince, 0),
    sources,
  };
}

const num = (n: number) => n.toLocaleString("en-US");

/** The summary as a new user reads it. */
export function formatSummary(s: DemoSummary): string {
  const width = Math.max(...Object.keys(s.objectsBySource).map((k) => k.length));
  const lines = [
    `Summary (domain ${s.domain}, history since ${s.since.slice(0, 10)}):`,
    `  profiles                    ${num(s.profiles)}`,
    `  profile objects             ${num(s.objects)}`,
    ...Object.entries(s.objectsBySource).map(([k, v]) => `    ${k.padEnd(width)}  ${num(v)}`),
    `  joined across sources       ${num(s.joinedAcrossSources)} profiles hold records of two or more sources`,
    `  people unified (truth)      ${num(s.identity.peopleUnified)} of the ${num(s.identity.peopleInSeveralSources)} people held from two or more sources are one profile; pairwise recall ${s.identity.recall.toFixed(3)}, precision ${s.identity.precision.toFixed(4)}`,
    `  dead letters                ${num(s.deadLetters)}`,
    `  records read in this run    ${num(s.ingestedThisRun)}`,
  ];
  for (const t of s.sources) {
    const wf = t.workflowId
      ? `workflow ${t.workflowId} ${t.workflowStatus} (${t.stepsCompleted}/${t.totalSteps} steps), then `
      : "";
    lines.push(
      `    ${t.vendor.padEnd(width)}  ${wf}flow ${t.flowName}: ${t.executions} runs, last ${t.lastStatus ?? "-"}`,
      ...failureLines(t, `    ${" ".repeat(width)}    `),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** When a source's last run failed: why, and what to do about it (empty otherwise). */
export function failureLines(t: TrackStatus, indent: string): string[] {
  if (t.lastStatus !== "Error") return [];
  const reason = t.lastMessage ?? "no message was recorded";
  const advice =
    failureAdvice(reason, t.connectorProfileName) ??
    `see the run: aws appflow describe-flow-execution-records --flow-name ${t.flowName}`;
  return [`${indent}failed: ${reason}`, `${indent}what to do: ${advice}`];
}
