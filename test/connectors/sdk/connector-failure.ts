import { ConnectorError } from "../../../src/connectors/sdk/index.ts";

/** The ConnectorError `p` rejects with; fails the test when `p` resolves or rejects with anything else. */
export async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConnectorError) return e;
    throw e;
  }
  throw new Error("expected a ConnectorError");
}
