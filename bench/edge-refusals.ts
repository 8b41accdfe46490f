/**
 * What hostile input costs the edge (issue 13): server RSS while 30 connections each send an unsigned
 * 6 MiB body (refused from the head, the body never buffered), and the time to refuse a signed
 * SearchProfiles with 100,000 values (refused by the list cap before any lookup).
 * `npx tsx bench/edge-refusals.ts [--connections 30] [--values 100000] [--rounds 5]`. SQLite, in process:
 * the RSS is the whole process (server and this client, which streams its bodies from one buffer).
 */
import { connect } from "node:net";
import { parseArgs } from "node:util";
import { SearchProfilesCommand } from "@aws-sdk/client-customer-profiles";
import { loadAverage, percentile, withBenchServer } from "./shared/bench-server.ts";

const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: "30" },
    values: { type: "string", default: "100000" },
    rounds: { type: "string", default: "5" },
  },
});
const connections = Number(args.connections);
const valueCount = Number(args.values);
const rounds = Number(args.rounds);
const SIX_MIB = 6 * 1024 * 1024;
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

/** Sends an unsigned POST declaring and streaming a 6 MiB body; resolves with the status line it got. */
function unsignedBigPost(port: number, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let got = "";
    socket.on("data", (c: Buffer) => {
      got += c.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(got.split("\r\n")[0] ?? "(no answer)"));
    socket.write(
      `POST /domains/d/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${SIX_MIB}\r\n\r\n`,
    );
    socket.write(body);
  });
}

await withBenchServer("sqlite", "edge", async ({ server, newClient }) => {
  const address = server.app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const body = Buffer.alloc(SIX_MIB, 0x61);
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: connections }, () => unsignedBigPost(port, body)));
  const ms = performance.now() - t0;
  clearInterval(sampler);
  const statuses = new Map<string, number>();
  for (const a of answers) statuses.set(a, (statuses.get(a) ?? 0) + 1);
  console.log(
    `${connections} unsigned ${mb(SIX_MIB)} MiB POSTs: answered in ${ms.toFixed(0)} ms, RSS ${mb(before)} → peak ${mb(peak)} MB (+${mb(peak - before)}); answers ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(", ")}; load ${loadAverage()}`,
  );

  const client = newClient();
  const Values = Array.from({ length: valueCount }, (_, i) => `v${i}@example.com`);
  await client
    .send(new SearchProfilesCommand({ DomainName: "nope", KeyName: "_email", Values: ["x"] }))
    .catch(() => 0);
  const times: number[] = [];
  let outcome = "";
  for (let i = 0; i < rounds; i++) {
    const s = performance.now();
    outcome = await client
      .send(new SearchProfilesCommand({ DomainName: "nope", KeyName: "_email", Values }))
      .then(
        () => "accepted",
        (e: Error) => `${e.name}: ${e.message.slice(0, 90)}`,
      );
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log(
    `SearchProfiles with ${valueCount} values, ${rounds} rounds (signing included): p50 ${percentile(times, 50).toFixed(0)} ms, max ${times[times.length - 1]!.toFixed(0)} ms; ${outcome}`,
  );
});
