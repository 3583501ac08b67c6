/** Where a command writes; tests pass buffers, the CLI passes the process streams. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A command-line mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
