/**
 * `npm run kcp:up` / `npm run kcp:down` / `npm run kcp:status`: a local kcp for people, with its
 * state under .kcp/ and the admin kubeconfig at .kcp/admin.kubeconfig. `up` is idempotent: a kcp
 * that already runs is reused, a stopped one restarts on its data (same port, so kubeconfigs
 * written earlier keep working).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { KubeClient } from "@kcp-mesh/sdk";
import { startKcp, stopProcessGroup } from "@kcp-mesh/sdk/testing";

const root = resolve(import.meta.dirname, "..");
const dir = process.env.KCP_STATE_DIR ?? join(root, ".kcp");
const stateFile = join(dir, "state.json");
const kubeconfig = join(dir, "admin.kubeconfig");

interface State {
  pid: number;
  port: number;
  startedAt: string;
}

function readState(): State | undefined {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, "utf8")) as State;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function ready(port: number): Promise<boolean> {
  if (!existsSync(kubeconfig)) return false;
  const client = KubeClient.fromKubeConfig({ path: kubeconfig }).withBaseUrl(`https://127.0.0.1:${port}`);
  try {
    const res = await client.open({ path: "/readyz" }, "text/plain");
    res.resume();
    return res.statusCode === 200;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** Starts kcp unless it already runs; returns its port. */
export async function up(): Promise<number> {
  const state = readState();
  if (state && alive(state.pid) && (await ready(state.port))) {
    console.log(`kcp already running (pid ${state.pid}) at https://127.0.0.1:${state.port}`);
    return state.port;
  }
  mkdirSync(dir, { recursive: true });
  console.log(`starting kcp (state in ${dir}) ...`);
  const kcp = await startKcp({ rootDir: dir, detach: true, ...(state && { port: state.port }) });
  writeFileSync(
    stateFile,
    JSON.stringify({ pid: kcp.pid, port: kcp.port, startedAt: new Date().toISOString() }, null, 2),
  );
  console.log(`kcp ready at ${kcp.baseUrl} (pid ${kcp.pid}, log ${kcp.logFile})`);
  console.log(`  kubectl --kubeconfig ${kubeconfig} get workspaces`);
  return kcp.port;
}

export async function down(): Promise<void> {
  const state = readState();
  if (!state || !alive(state.pid)) {
    console.log("kcp is not running");
    return;
  }
  await stopProcessGroup(state.pid);
  console.log(`kcp (pid ${state.pid}) stopped; its data stays in ${dir} (delete the folder to start afresh)`);
}

async function main(): Promise<void> {
  const [cmd, ...flags] = process.argv.slice(2);
  switch (cmd) {
    case "up":
      await up();
      break;
    case "down":
      await down();
      break;
    case "status": {
      const s = readState();
      const running = s !== undefined && alive(s.pid) && (await ready(s.port));
      console.log(running ? `running: pid ${s.pid}, https://127.0.0.1:${s.port}` : "not running");
      process.exitCode = running ? 0 : 1;
      break;
    }
    case "reset":
      await down();
      rmSync(dir, { recursive: true, force: true });
      console.log(`removed ${dir}`);
      break;
    default:
      console.error("usage: kcp.ts up|down|status|reset");
      process.exitCode = 2;
  }
  void flags;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error) => {
    console.error(`error: ${err.message}`);
    process.exit(1);
  });
}
