import { InjectedFault } from "../helpers/store-snapshot.ts";
import type { Overrides } from "./integration-fixture.ts";

/** One step of an operation made to fail: where, and the dependencies to build the services with. */
export interface Fault {
  readonly at: string;
  readonly wrap: () => Overrides;
}

/**
 * A proxy of `target` whose `method` runs and then throws InjectedFault on its `nth` call: a failure
 * right after a step's writes (failOn fails right before them).
 */
export function failAfter<T extends object>(target: T, method: keyof T & string, nth = 1): T {
  let calls = 0;
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value = Reflect.get(t, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop !== method) return value.bind(t);
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => unknown).apply(t, args);
        calls += 1;
        if (calls === nth) throw new InjectedFault(method);
        return result;
      };
    },
  });
}
