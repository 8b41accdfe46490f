/**
 * GetSimilarProfiles' ProfileIds: `profileId` first, then each other profile the matches `rows` link it
 * to, once, in the rows' order (best match first).
 */
export function linkedProfileIds(
  profileId: string,
  rows: readonly { profile_a: string; profile_b: string }[],
): string[] {
  const others = rows.map((r) => (r.profile_a === profileId ? r.profile_b : r.profile_a));
  return [profileId, ...new Set(others)];
}
