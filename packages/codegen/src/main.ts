#!/usr/bin/env node
// The executable entry: runs the CLI on the process's arguments and streams.
import { runCli } from "./cli.js";

process.exitCode = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
