/**
 * What a full ML ("Matching") identity resolution job costs at scale (issue 15, point 5): a domain of N
 * profiles — Salesforce Contacts of distinct people, and for a share of them the same person again as a
 * Marketo lead (name as written, email in another case, phone in another format, no shared key, every
 * tenth last name with a typo) — loaded in process with rule-based matching off, so each duplicate is a
 * profile of its own. Then one job started on demand (the extension operation), run by the server's job
 * runner, polled with GetIdentityResolutionJob; then GetMatches paged. Prints the job's wall time, the
 * process's CPU and peak RSS, the job's counts, how many of the found matches are the planted pairs,
 * and GetMatches latency. Asserts nothing.
 *
 *   npx tsx bench/ml-job.ts [--profiles 1000000] [--duplicates 0.2] [--pages 200] [--only sqlite|postgres]
 */
import { parseArgs } from "node:util";
import {
  CreateDomainCommand,
  GetIdentityResolutionJobCommand,
  type GetIdentityResolutionJobCommandOutput,
  GetMatchesCommand,
  SearchProfilesCommand,
} from "@aws-sdk/client-customer-profiles";
import { signedFetch } from "../test/helpers/signed-fetch.ts";
import {
  type BenchDialect,
  benchDialects,
  loadAverage,
  percentile,
  withBenchServer,
} from "./shared/bench-server.ts";
import { personContact, personPhone } from "./shared/people.ts";

const { values: args } = parseArgs({
  options: {
    profiles: { type: "string", default: "1000000" },
    duplicates: { type: "string", default: "0.2" },
    pages: { type: "string", default: "200" },
    only: { type: "string" },
  },
});
const PROFILES = Number(args.profiles);
const DUPLICATES = Math.round(PROFILES * Number(args.duplicates));
const PEOPLE = PROFILES - DUPLICATES;
const BATCH = 5000;
/** GetMatches pages read at most (the first ones: each page's cost is what is measured). */
const PAGES = Number(args.pages);

/** Person i again as a Marketo lead: no key shared with the contact. */
function personLead(i: number) {
  const p = personPhone(i);
  const c = personContact(i);
  return {
    id: 5000000 + i,
    firstName: c.FirstName,
    lastName: i % 10 === 0 ? `${c.LastName}x` : c.LastName,
    email: c.Email.toUpperCase(),
    phone: `(${p.slice(0, 3)}) ${p.slice(3, 6)}-${p.slice(6)}`,
    updatedAt: "2024-02-01T10:20:30Z",
  };
}

/** The person (contact index) whose duplicate is lead number k: spread over the whole population. */
const duplicateOf = (k: number) => Math.floor((k * PEOPLE) / DUPLICATES);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(dialect: BenchDialect): Promise<void> {
  await withBenchServer(
    dialect,
    "pf_bench_ml",
    async ({ server, newClient, endpoint, credentials }) => {
      const DomainName = "bench";
      await newClient().send(
        new CreateDomainCommand({
          DomainName,
          DefaultExpirationDays: 365,
          Matching: { Enabled: true, AutoMerging: { Enabled: false } },
        }),
      );
      const ingest = server.profiles.ingestor;
      const loadStarted = performance.now();
      for (let from = 0; from < PEOPLE; from += BATCH) {
        const n = Math.min(BATCH, PEOPLE - from);
        await ingest.ingestObjects(
          DomainName,
          "Salesforce-Contact",
          Array.from({ length: n }, (_, k) => personContact(from + k)),
        );
      }
      for (let from = 0; from < DUPLICATES; from += BATCH) {
        const n = Math.min(BATCH, DUPLICATES - from);
        await ingest.ingestObjects(
          DomainName,
          "Marketo-leads",
          Array.from({ length: n }, (_, k) => personLead(duplicateOf(from + k))),
        );
      }
      const loadSeconds = (performance.now() - loadStarted) / 1000;
      console.log(
        `${dialect}: ${PROFILES} profiles (${PEOPLE} contacts + ${DUPLICATES} leads of the same people) loaded in ${loadSeconds.toFixed(1)} s; load average ${loadAverage()}`,
      );

      // A client of its own: the load kept this process busy past the server's keep-alive timeout.
      const client = newClient();
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      const res = await signedFetch(endpoint, {
        method: "POST",
        path: `/domains/${DomainName}/identity-resolution-jobs`,
        credentials,
      });
      if (res.status !== 200)
        throw new Error(`StartIdentityResolutionJob: ${res.status} ${await res.text()}`);
      const { JobId } = (await res.json()) as { JobId: string };
      let job: GetIdentityResolutionJobCommandOutput;
      // When each status was first seen (polled every second): where the job's time goes.
      const phases: string[] = [];
      for (;;) {
        job = await client.send(new GetIdentityResolutionJobCommand({ DomainName, JobId }));
        if (!phases.at(-1)?.startsWith(`${job.Status} `))
          phases.push(`${job.Status} at ${((performance.now() - started) / 1000).toFixed(0)} s`);
        if (["COMPLETED", "PARTIAL_SUCCESS", "FAILED"].includes(job.Status ?? "")) break;
        await sleep(1000);
      }
      const jobSeconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      console.log(
        `${dialect}: job ${job.Status} in ${jobSeconds.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-s (whole process);`,
        `stats ${JSON.stringify(job.JobStats)}; ${phases.join(", ")}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load average ${loadAverage()}`,
      );

      // GetMatches paged: latency per page, and how many matches pair a contact with its own lead.
      const latencies: number[] = [];
      let token: string | undefined;
      let matches = 0;
      let planted = 0;
      let pages = 0;
      do {
        const t0 = performance.now();
        const page = await client.send(
          new GetMatchesCommand({ DomainName, MaxResults: 100, NextToken: token }),
        );
        latencies.push(performance.now() - t0);
        token = page.NextToken;
        pages++;
        // Check the pairs of a sample of pages (two searches per match cost more than the paging itself).
        const check = pages <= 5;
        for (const m of page.Matches ?? []) {
          matches++;
          if (!check) continue;
          const ids = m.ProfileIds ?? [];
          const found = await Promise.all(
            ids.map(async (id) => {
              const p = await client.send(
                new SearchProfilesCommand({ DomainName, KeyName: "_profileId", Values: [id] }),
              );
              return p.Items?.[0]?.Attributes ?? {};
            }),
          );
          const contacts = found.map((a) => a["sfdcContactId"]).filter(Boolean);
          const leads = found.map((a) => a["MarketoLeadId"]).filter(Boolean);
          if (contacts.length === 1 && leads.length === 1) {
            const i = Number(leads[0]) - 5000000;
            if (contacts[0] === personContact(i).Id) planted++;
          }
        }
      } while (token && pages < PAGES);
      latencies.sort((a, b) => a - b);
      const checked = Math.min(matches, 500);
      console.log(
        `${dialect}: GetMatches ${pages} pages of ≤ 100${token ? " (more left unread)" : ""}, ${matches} matches (${DUPLICATES} planted pairs);`,
        `per page p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms;`,
        `of the first ${checked} matches, ${planted} pair a contact with its own lead`,
      );
    },
    { workers: true },
  );
}

for (const dialect of benchDialects(args.only)) await run(dialect);
