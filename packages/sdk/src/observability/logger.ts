import { type Logger, pino } from "pino";

/**
 * Paths pino censors in every log line: Secret payloads, tokens and credentials, wherever an
 * object is logged whole (a reconcile error often carries the object).
 */
export const REDACT_PATHS = [
  "data",
  "stringData",
  "*.data",
  "*.stringData",
  "*.*.data",
  "*.*.stringData",
  "token",
  "*.token",
  "password",
  "*.password",
  "headers.authorization",
  "headers.Authorization",
  "*.headers.authorization",
  "*.headers.Authorization",
  "kubeconfig",
  "*.kubeconfig",
];

/** A pino logger with the runtime's redaction; pass your own to `createProvider` to configure output. */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  // Not pino's `name`: log lines about an object carry the object's `name`, as controller-runtime's do.
  return pino({
    base: { pid: process.pid, provider: options.name ?? "kcp-mesh" },
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
  });
}

/** A child logger that also redacts, for loggers handed in by users without redaction. */
export function withRedaction(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: REDACT_PATHS, censor: "[REDACTED]" } });
}
