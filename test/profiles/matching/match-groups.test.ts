import { describe, expect, it } from "vitest";
import { isProfileflowError } from "../../../src/core/errors.ts";
import { groupIdOf, groupMatches, groupPageKey } from "../../../src/profiles/matching/match-groups.ts";
import { matchIdOf } from "../../../src/profiles/matching/match-id.ts";
import { parseGroupPageKey } from "../../../src/profiles/matching/stored-match-groups.ts";

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

  it("orders the groups by score then MatchId; a group's page key gives back its score and MatchId", () => {
    const groups = groupMatches(
      Array.from({ length: 5 }, (_, i) => ({ profileA: `p${i}`, profileB: `q${i}`, score: 0.9 + i / 100 })),
    );
    expect(groups.map((g) => g.profileIds[0])).toEqual(["p4", "p3", "p2", "p1", "p0"]);
    for (const g of [...groups, { ...groups[0]!, score: 1 / 3 }, { ...groups[0]!, score: 1e-7 }])
      expect(parseGroupPageKey(groupPageKey(g))).toEqual({ score: g.score, matchId: g.matchId });
  });

  it("refuses a page key that is not one (VALIDATION_FAILED naming NextToken)", () => {
    for (const key of [
      "",
      "0.5",
      "x:0123456789abcdef0123456789abcdef",
      "0.5:not-an-id",
      `NaN:${"a".repeat(32)}`,
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
});
