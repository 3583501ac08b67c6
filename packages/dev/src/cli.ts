import { resolve } from "node:path";
import { kcpCommand } from "./local-kcp.js";

export const HELP = `mesh-dev [options]          the live loop (run in a provider project)
mesh-dev kcp up|down|status|reset   a local kcp with its state in .kcp/ (--kcp-dir)
`;

/** Runs `mesh-dev` with these arguments; returns the exit code. */
export async function runDev(argv: string[]): Promise<number> {
  const kcpDir = resolve(process.env.KCP_STATE_DIR ?? ".kcp");
  if (argv[0] === "kcp") return kcpCommand(kcpDir, argv[1]);
  console.log(HELP);
  return argv.includes("--help") || argv.includes("-h") ? 0 : 2;
}
