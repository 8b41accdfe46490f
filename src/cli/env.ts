/** The process environment, read in exactly one place and handed to loadConfig. */
export function env(): Record<string, string | undefined> {
  return process.env;
}
