import { describe, expect, it } from "vitest";
import { groupIdOf, groupMatches, pageOfGroups } from "../../../src/profiles/matching/match-groups.ts";
import { matchIdOf } from "../../../src/profiles/matching/match-id.ts";

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

  it("pages the groups by score then MatchId", () => {
    const groups = groupMatches(
      Array.from({ length: 5 }, (_, i) => ({ profileA: `p${i}`, profileB: `q${i}`, score: 0.9 + i / 100 })),
    );
    const first = pageOfGroups(groups, { limit: 2 });
    expect(first.items.map((g) => g.profileIds[0])).toEqual(["p4", "p3"]);
    expect(first.more).toBe(true);
    const key = `${first.items[1]!.score}:${first.items[1]!.matchId}`;
    const rest = pageOfGroups(groups, { after: key, limit: 5 });
    expect(rest.items.map((g) => g.profileIds[0])).toEqual(["p2", "p1", "p0"]);
    expect(rest.more).toBe(false);
  });
});
