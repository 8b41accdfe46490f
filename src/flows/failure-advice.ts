/** The message of an execution whose source window would end before it starts (see execution-runner). */
export function invertedWindowMessage(w: { from: number; to: number }): string {
  return (
    `Not run: the source's window would end at ${iso(w.to)}, before it starts at ${iso(w.from)} ` +
    "(the connector's idea of the source's now is behind where the last run ended); nothing was read, " +
    "and the flow's checkpoint stays where it was."
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

/** What to do about a failure, by the start of the message the flows engine wrote for it. */
const ADVICE: readonly { match: RegExp; advice: (profile: string) => string }[] = [
  {
    match: /^The source rejected the credentials/,
    advice: (p) =>
      `update the connection: the source rejected its credentials, so send the current ones with UpdateConnectorProfile (aws appflow update-connector-profile --connector-profile-name ${p} …); the next scheduled run uses them`,
  },
  {
    match: /^Connector profile .* could not be opened/,
    advice: (p) =>
      `check the connection ${p}: it must exist (aws appflow describe-connector-profiles) and its credentials and secret must be readable; recreate or update it`,
  },
  {
    match: /^The source refused the request/,
    advice: () =>
      "check what the flow asks for: the source object and fields must exist and the connection's user must be allowed to read them (DescribeConnectorEntity, the vendor's permissions)",
  },
  {
    match: /^Failed after \d+ attempts with transient source errors/,
    advice: () =>
      "check that the source is reachable and healthy; the next scheduled run tries again from the checkpoint",
  },
  {
    match: /^Not run: the source's window would end/,
    advice: () =>
      "nothing to repair: the next run starts from the same checkpoint; if this repeats, check the clock of the machine running profileflow against the source's",
  },
  {
    match: /^Validation failed for record/,
    advice: () => "fix the record at the source, or change the flow's Validate task (its VALIDATION_ACTION)",
  },
  {
    match: /^Internal error/,
    advice: () =>
      "this is a bug in profileflow: the server log has the details (please report it); the next scheduled run tries again",
  },
];

/**
 * What a user should do about a failed execution, from its message; undefined when the message is not one
 * the engine writes for a failure. `connectorProfileName` names the connection in the advice.
 */
export function failureAdvice(message: string, connectorProfileName = "<name>"): string | undefined {
  return ADVICE.find((a) => a.match.test(message))?.advice(connectorProfileName);
}
