import { setFlagsFromString } from "node:v8";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from "../../src/compose/heap-growth.ts";

vi.mock("node:v8", () => ({ setFlagsFromString: vi.fn() }));

describe("limitHeapGrowth", () => {
  const execArgv = process.execArgv;
  afterEach(() => {
    process.execArgv = execArgv;
    vi.mocked(setFlagsFromString).mockClear();
  });

  it("sets V8's heap growth to 1.5 × the live heap", () => {
    process.execArgv = execArgv.filter((a) => !a.includes("heap-growing-percent"));
    limitHeapGrowth();
    expect(HEAP_GROWING_PERCENT).toBe(50);
    expect(setFlagsFromString).toHaveBeenCalledWith("--heap-growing-percent=50");
  });

  it("leaves an operator's own setting on the command line alone", () => {
    process.execArgv = [...execArgv, "--heap-growing-percent=80"];
    limitHeapGrowth();
    expect(setFlagsFromString).not.toHaveBeenCalled();
  });
});
