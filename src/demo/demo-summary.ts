import { GetDomainCommand } from "@aws-sdk/client-customer-profiles";
import { failureAdvice } from "../flows/failure-advice.ts";
import type { Server } from "../main.ts";
import { type IdentityScore, identityAgainstTruth } from "./demo-identity.ts";
import { trackLabel } from "./demo-progress.ts";
import type { DemoClients } from "./demo-setup.ts";
import { DEMO_OBJECTS } from "./demo-sources.ts";
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
  /** Objects per object type (every object the demo integrates, grouped by vendor). */
  objectsByType: Record<string, number>;
  /** Profiles holding objects of two or more sources (vendors). */
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
 * The summary: profile and object totals from GetDomain (the public API); the per-object-type split, the
 * cross-source joins and the dead letters from the profile service's census and placements, which no AWS
 * operation counts.
 */
export async function summarize(
  c: DemoClients,
  server: Server,
  context: Pick<DemoSummary, "domain" | "since" | "historyEnd" | "sandboxes" | "endpoint">,
  sources: TrackStatus[],
): Promise<DemoSummary> {
  const stats = (await c.profiles.send(new GetDomainCommand({ DomainName: context.domain }))).Stats;
  const census = await server.profileService.census(context.domain);
  const objectsByType: Record<string, number> = {};
  for (const s of DEMO_OBJECTS)
    objectsByType[s.objectTypeName] = census.objectsByType.get(s.objectTypeName) ?? 0;
  return {
    at: new Date().toISOString(),
    ...context,
    profiles: stats?.ProfileCount ?? 0,
    objects: stats?.ObjectCount ?? 0,
    objectsByType,
    joinedAcrossSources: await joinedAcrossVendors(server, context.domain),
    identity: await identityAgainstTruth(server, context.domain, context.sandboxes),
    deadLetters: census.deadLetters,
    ingestedThisRun: sources.reduce((a, s) => a + s.recordsSince, 0),
    sources,
  };
}

/** Profiles holding objects of two or more vendors (a contact with its assets is one source). */
async function joinedAcrossVendors(server: Server, domain: string): Promise<number> {
  const vendorOf = new Map(DEMO_OBJECTS.map((s) => [s.objectTypeName, s.vendor]));
  const vendors = new Map<string, Set<string>>();
  for (const p of await server.profileService.placements(domain)) {
    const v = vendorOf.get(p.objectTypeName) ?? p.objectTypeName;
    vendors.set(p.profileId, (vendors.get(p.profileId) ?? new Set()).add(v));
  }
  return [...vendors.values()].filter((v) => v.size > 1).length;
}

const num = (n: number) => n.toLocaleString("en-US");

/** `    salesforce  Contact 400 · Account 80 · Asset 210`: the objects of each vendor on one line. */
function objectLines(byType: Record<string, number>): string[] {
  const groups = new Map<string, string[]>();
  for (const s of DEMO_OBJECTS) {
    const n = byType[s.objectTypeName];
    if (n === undefined) continue;
    groups.set(s.vendor, [...(groups.get(s.vendor) ?? []), `${s.object} ${num(n)}`]);
  }
  return [...groups].map(([vendor, parts]) => `    ${vendor.padEnd(10)}  ${parts.join(" · ")}`);
}

/** The summary as a new user reads it. */
export function formatSummary(s: DemoSummary): string {
  const width = 20;
  const lines = [
    `Summary (domain ${s.domain}, history since ${s.since.slice(0, 10)}):`,
    `  profiles                    ${num(s.profiles)}`,
    `  profile objects             ${num(s.objects)}`,
    ...objectLines(s.objectsByType),
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
      `    ${trackLabel(t)}  ${wf}flow ${t.flowName}: ${t.executions} runs, last ${t.lastStatus ?? "-"}`,
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
