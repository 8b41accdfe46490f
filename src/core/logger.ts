import { type LevelWithSilent, type Logger, pino } from "pino";

export type { Logger };

/** Paths that must never reach a log line: credentials, signatures, secrets. */
export const redactPaths = [
  "req.headers.authorization",
  "headers.authorization",
  "authorization",
  "*.authorization",
  "secretAccessKey",
  "*.secretAccessKey",
  "*.clientSecret",
  "*.password",
  "*.accessToken",
  "*.refreshToken",
  "*.apiToken",
  "signature",
];

/** Creates the structured logger (JSON lines on stderr by default). */
export function createLogger(level: LevelWithSilent = "info", destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: redactPaths, censor: "[redacted]" }, base: { app: "profileflow" } },
    destination ?? pino.destination(2),
  );
}
