import type { Overrides } from "./integration-fixture.ts";

/** One step of an operation made to fail: where, and the dependencies to build the services with. */
export interface Fault {
  readonly at: string;
  readonly wrap: () => Overrides;
}

/** failAfter lives next to failOn (test/helpers/store-snapshot.ts); re-exported for the fault suites here. */
export { failAfter } from "../helpers/store-snapshot.ts";
