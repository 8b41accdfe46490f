/**
 * One call of a simulator's `/__sandbox/` admin API (clock, knobs, truth, records): its JSON answer,
 * whatever the status, so a test can look at a refusal too.
 */
export async function sandboxAdminCall(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/__sandbox/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as Record<string, unknown>;
}
