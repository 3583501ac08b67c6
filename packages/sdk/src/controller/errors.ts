/**
 * Thrown by a reconcile handler for a problem that retrying cannot fix (a spec that asks for the
 * impossible, a reference to something forbidden). The runtime stops retrying the object until
 * it changes, and reports the message in its Ready condition with the given reason.
 */
export class TerminalError extends Error {
  override readonly name = "TerminalError";
  constructor(
    message: string,
    /** UpperCamelCase reason for the Ready condition; default `TerminalError`. */
    readonly reason = "TerminalError",
  ) {
    super(message);
  }
}

/**
 * Thrown (or returned as a result) when the object waits for something outside the provider's
 * control, e.g. a Secret another provider has not written yet: Ready becomes Unknown with the
 * reason and message, and the object is looked at again after `retryAfterMs` (and whenever a
 * watched related object changes).
 */
export class PendingError extends Error {
  override readonly name = "PendingError";
  constructor(
    message: string,
    readonly reason = "Pending",
    readonly retryAfterMs = 30_000,
  ) {
    super(message);
  }
}
