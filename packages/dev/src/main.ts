// The executable entry of `mesh-dev`.
import { runDev } from "./cli.js";

process.exitCode = await runDev(process.argv.slice(2));
