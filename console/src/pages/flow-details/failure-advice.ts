/**
 * What to do about a failed execution, from the start of the message the flows engine wrote for it.
 * The console's copy of src/flows/failure-advice.ts (console code imports nothing from src/); the same
 * sentences `profileflow status` and the demo print. Keep the two tables in step.
 */
const ADVICE: readonly { match: RegExp; advice: (profile: string) => string }[] = [
  {
    match: /^The source rejected the credentials/,
    advice: (p) =>
      `Update the connection: the source rejected its credentials, so send the current ones with UpdateConnectorProfile (aws appflow update-connector-profile --connector-profile-name ${p} …), or re-establish the integration; the next scheduled run uses them.`,
  },
  {
    match: /^Connector profile .* could not be opened/,
    advice: (p) =>
      `Check the connection ${p}: it must exist (aws appflow describe-connector-profiles) and its credentials and secret must be readable; recreate or update it.`,
  },
  {
    match: /^The source refused the request/,
    advice: () =>
      "Check what the flow asks for: the source object and fields must exist and the connection's user must be allowed to read them (DescribeConnectorEntity, the vendor's permissions).",
  },
  {
    match: /^Failed after \d+ attempts with transient source errors/,
    advice: () =>
      "Check that the source is reachable and healthy; the next scheduled run tries again from the checkpoint.",
  },
  {
    match: /^Not run: the source's window would end/,
    advice: () =>
      "Nothing to repair: the next run starts from the same checkpoint; if this repeats, check the clock of the machine running profileflow against the source's.",
  },
  {
    match: /^Validation failed for record/,
    advice: () => "Fix the record at the source, or change the flow's Validate task (its VALIDATION_ACTION).",
  },
  {
    match: /^Internal error/,
    advice: () =>
      "This is a bug in profileflow: the server log has the details (please report it); the next scheduled run tries again.",
  },
];

/** Advice for a failed execution's message; undefined when the message is not one the engine writes. */
export function failureAdvice(message: string, connectorProfileName = "<name>"): string | undefined {
  return ADVICE.find((a) => a.match.test(message))?.advice(connectorProfileName);
}

/** What to do about a dead-lettered record, by its ReasonCode. */
export function deadLetterAdvice(reasonCode: string): string {
  switch (reasonCode) {
    case "NO_MATCHING_PROFILE":
      return "No profile holds this record's profile key and its object type does not create profiles: create the person first (another source or CreateProfile), or allow profile creation on the object type; the next run that reads the record again ingests it.";
    default:
      return "Fix the record at the source (or the object type's mapping); the next run that reads it again ingests it.";
  }
}
