/** Freezes `value` and everything reachable from it (objects and arrays), so a shared value cannot be changed by whoever holds it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
