/**
 * Every item of a paginated list call: `page(token)` fetches one page, `items`/`next` read it; follows
 * the token until there is none (at most `maxPages` pages, a guard against a token that never ends).
 */
export async function allPages<P, T>(
  page: (token: string | undefined) => Promise<P>,
  items: (p: P) => readonly T[] | undefined,
  next: (p: P) => string | undefined,
  maxPages = 1000,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const p = await page(token);
    out.push(...(items(p) ?? []));
    token = next(p);
    if (!token) return out;
  }
  throw new Error(`The list did not end after ${maxPages} pages.`);
}
