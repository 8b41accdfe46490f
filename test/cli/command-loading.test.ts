import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";

const names = async (...args: string[]) =>
  (await buildProgram(["node", "profileflow", ...args])).commands.map((c) => c.name());

const all = ["serve", "worker", "sandbox", "dead-letters", "demo", "integrate", "status", "retry", "audit"];

describe("the CLI loads only the command it runs", () => {
  it("registers just the command named (serve does not load integrate's AWS SDK clients nor the sandboxes)", async () => {
    expect(await names("serve", "--port", "0")).toEqual(["serve"]);
    expect(await names("worker")).toEqual(["worker"]);
    expect(await names("dead-letters", "--domain", "d")).toEqual(["dead-letters"]);
  });

  it("a command registered by another command's file brings that file: retry comes with status", async () => {
    expect(await names("retry", "wf-1")).toEqual(["status", "retry"]);
    expect(await names("status")).toEqual(["status", "retry"]);
  });

  it("registers every command, in help order, for the overview, help <command>, options first and a mistyped name", async () => {
    expect(await names()).toEqual(all);
    expect(await names("help", "status")).toEqual(all);
    expect(await names("--help")).toEqual(all);
    expect(await names("serv")).toEqual(all);
  });

  it("a mistyped command still gets commander's suggestion", async () => {
    const program = await buildProgram(["node", "profileflow", "serv"]);
    let err = "";
    program.exitOverride().configureOutput({ writeErr: (s) => (err += s) });
    await expect(program.parseAsync(["node", "profileflow", "serv"])).rejects.toThrow();
    expect(err).toContain("Did you mean serve?");
  });
});
