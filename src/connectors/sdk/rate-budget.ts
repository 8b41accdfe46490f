import type { Timer } from "./timer.ts";

/** A request-rate budget; the client awaits `acquire()` before every request, so callers can share one. */
export interface RateBudget {
  acquire(): Promise<void>;
}

/** No limit. */
export const unlimitedBudget: RateBudget = { acquire: () => Promise.resolve() };

/** Spaces requests evenly: at most `perSecond` requests a second through this budget. */
export function intervalBudget(perSecond: number, timer: Timer): RateBudget {
  const gap = 1000 / perSecond;
  let next = 0;
  return {
    async acquire() {
      const now = timer.now();
      const at = Math.max(now, next);
      next = at + gap;
      if (at > now) await timer.sleep(at - now);
    },
  };
}
