import { describe, expect, it } from "vitest";
import { isProfileflowError } from "../../../src/core/errors.ts";
import { groupIdOf, groupMatches } from "../../../src/profiles/matching/match-groups.ts";
import { matchIdOf } from "../../../src/profiles/matching/match-id.ts";
import { groupPageKey, parseGroupPageKey } from "../../../src/profiles/matching/stored-match-groups.ts";

const JOB = "0192aabbccdd0123456789abcdef0123";

describe("GetMatches' groups", () => {
  it("joins the pairs a job found into groups, each scored by its weakest best link", () => {
    const groups = groupMatches([
      { profileA: "a", profileB: "b", score: 0.999 },
      { profileA: "b", profileB: "c", score: 0.95 },
      { profileA: "a", profileB: "c", score: 0.6 },
      { profileA: "d", profileB: "e", score: 0.97 },
    ]);
    expect(groups).toEqual([
      { matchId: groupIdOf(["d", "e"]), profileIds: ["d", "e"], score: 0.97 },
      { matchId: groupIdOf(["c", "b", "a"]), profileIds: ["a", "b", "c"], score: 0.95 },
    ]);
    // A two-profile group keeps the MatchId its pair had.
    expect(groups[0]!.matchId).toBe(matchIdOf("e", "d"));
  });

  it("orders the groups by score then MatchId; a page key gives back its job, score and MatchId", () => {
    const groups = groupMatches(
      Array.from({ length: 5 }, (_, i) => ({ profileA: `p${i}`, profileB: `q${i}`, score: 0.9 + i / 100 })),
    );
    expect(groups.map((g) => g.profileIds[0])).toEqual(["p4", "p3", "p2", "p1", "p0"]);
    for (const g of [...groups, { ...groups[0]!, score: 1 / 3 }, { ...groups[0]!, score: 1e-7 }])
      expect(parseGroupPageKey(groupPageKey(JOB, g))).toEqual({
        jobId: JOB,
        score: g.score,
        matchId: g.matchId,
      });
  });

  it("refuses a page key that is not one (VALIDATION_FAILED naming NextToken)", () => {
    for (const key of [
      "",
      "0.5",
      "x:0123456789abcdef0123456789abcdef",
      "0.5:not-an-id",
      `NaN:${"a".repeat(32)}`,
      // A key without its job (as before the job was in it), and a job id that is not one.
      `0.5:${"a".repeat(32)}`,
      `${JOB}::${"a".repeat(32)}`,
      `${JOB}:NaN:${"a".repeat(32)}`,
      `job:0.5:${"a".repeat(32)}`,
    ]) {
      let error: unknown;
      try {
        parseGroupPageKey(key);
      } catch (e) {
        error = e;
      }
      expect(isProfileflowError(error, "VALIDATION_FAILED")).toBe(true);
    }
  });

  it("keeps the members in join order when a small group joins a larger one", () => {
    // c–d–e (3) forms first; then a–b (2) joins it through a link whose first profile is a: the
    // smaller group's profiles come first, as the link's order says, whichever group is larger.
    const groups = groupMatches([
      { profileA: "c", profileB: "d", score: 0.99 },
      { profileA: "d", profileB: "e", score: 0.98 },
      { profileA: "a", profileB: "b", score: 0.97 },
      { profileA: "b", profileB: "e", score: 0.9 },
    ]);
    expect(groups).toEqual([
      { matchId: groupIdOf(["a", "b", "c", "d", "e"]), profileIds: ["a", "b", "c", "d", "e"], score: 0.9 },
    ]);
  });

  it("groups a 50,000-spoke star into one group: the hub, then its spokes strongest link first", () => {
    const n = 50_000;
    const id = (i: number) => `s${String(i).padStart(5, "0")}`;
    // Spokes scored 0.5 + i/n·0.49, listed in reverse; two more pairs of their own.
    const pairs = Array.from({ length: n }, (_, k) => {
      const i = n - 1 - k;
      return { profileA: "hub", profileB: id(i), score: 0.5 + (i / n) * 0.49 };
    });
    pairs.push({ profileA: "x", profileB: "y", score: 0.97 }, { profileA: "y", profileB: "z", score: 0.3 });
    const groups = groupMatches(pairs);
    expect(groups).toHaveLength(2);
    const [star, xyz] = groups;
    const spokes = Array.from({ length: n }, (_, k) => id(n - 1 - k));
    expect(star!.profileIds).toEqual(["hub", ...spokes]);
    expect(star!.score).toBe(0.5);
    expect(star!.matchId).toBe(groupIdOf(["hub", ...spokes]));
    expect(xyz).toEqual({ matchId: groupIdOf(["x", "y", "z"]), profileIds: ["x", "y", "z"], score: 0.3 });
  });
});
