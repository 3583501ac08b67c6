/**
 * Fires when nothing happened for `ms`: the dead-connection detector. Every received chunk calls
 * `touch()`; there is deliberately no deadline for a whole request, since a healthy watch is
 * expected to stay open for its full timeout and a large list may take long while bytes flow.
 */
export class IdleTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {
    this.touch();
  }

  touch(): void {
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(this.onIdle, this.ms);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

/** Raised when a request saw no bytes for longer than allowed. */
export class InactivityError extends Error {
  override readonly name = "InactivityError";
}
