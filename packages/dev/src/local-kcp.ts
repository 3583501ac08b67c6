import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeClient } from "@kcp-mesh/sdk";
import { startKcp, stopProcessGroup } from "@kcp-mesh/sdk/testing";

/**
 * A local kcp for people: its state in one folder (`.kcp/` by default), the admin kubeconfig at
 * `<dir>/admin.kubeconfig`, the process in the background. `up` is idempotent: a kcp that runs is
 * reused, a stopped one restarts on its data with the same port, so kubeconfigs written earlier keep
 * working (service-account ones do; kcp writes a new admin token at each start).
 */
export class LocalKcp {
  readonly stateFile: string;
  readonly kubeconfig: string;

  constructor(
    readonly dir: string,
    private readonly log: (line: string) => void = (l) => console.log(l),
  ) {
    this.stateFile = join(dir, "state.json");
    this.kubeconfig = join(dir, "admin.kubeconfig");
  }

  private state(): { pid: number; port: number; startedAt: string } | undefined {
    if (!existsSync(this.stateFile)) return undefined;
    return JSON.parse(readFileSync(this.stateFile, "utf8"));
  }

  /** The kcp of this folder when it runs and answers /readyz. */
  async running(): Promise<{ pid: number; port: number } | undefined> {
    const s = this.state();
    if (!s || !alive(s.pid) || !existsSync(this.kubeconfig)) return undefined;
    const client = KubeClient.fromKubeConfig({ path: this.kubeconfig }).withBaseUrl(
      `https://127.0.0.1:${s.port}`,
    );
    try {
      const res = await client.open({ path: "/readyz" }, "text/plain");
      res.resume();
      return res.statusCode === 200 ? s : undefined;
    } catch {
      return undefined;
    } finally {
      client.close();
    }
  }

  /** Starts kcp unless it already runs; `started` says whether this call started it. */
  async up(): Promise<{ port: number; started: boolean }> {
    const running = await this.running();
    if (running) {
      this.log(`kcp already running (pid ${running.pid}) at https://127.0.0.1:${running.port}`);
      return { port: running.port, started: false };
    }
    const previous = this.state();
    mkdirSync(this.dir, { recursive: true });
    this.log(`starting kcp (state in ${this.dir}) ...`);
    const kcp = await startKcp({ rootDir: this.dir, detach: true, ...(previous && { port: previous.port }) });
    writeFileSync(
      this.stateFile,
      JSON.stringify({ pid: kcp.pid, port: kcp.port, startedAt: new Date().toISOString() }, null, 2),
    );
    this.log(`kcp ready at ${kcp.baseUrl} (pid ${kcp.pid}, log ${kcp.logFile})`);
    this.log(`  kubectl --kubeconfig ${this.kubeconfig} get workspaces`);
    return { port: kcp.port, started: true };
  }

  /** Stops kcp; its data stays. */
  async down(): Promise<void> {
    const s = this.state();
    if (!s || !alive(s.pid)) {
      this.log("kcp is not running");
      return;
    }
    await stopProcessGroup(s.pid);
    this.log(`kcp (pid ${s.pid}) stopped; its data stays in ${this.dir} (reset deletes it)`);
  }

  /** Stops kcp and deletes its data. */
  async reset(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
    this.log(`removed ${this.dir}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `mesh-dev kcp up|down|status|reset`; returns the exit code. */
export async function kcpCommand(dir: string, cmd: string | undefined): Promise<number> {
  const kcp = new LocalKcp(dir);
  switch (cmd) {
    case "up":
      await kcp.up();
      return 0;
    case "down":
      await kcp.down();
      return 0;
    case "status": {
      const r = await kcp.running();
      console.log(
        r ? `running: pid ${r.pid}, https://127.0.0.1:${r.port}, ${kcp.kubeconfig}` : "not running",
      );
      return r ? 0 : 1;
    }
    case "reset":
      await kcp.reset();
      return 0;
    default:
      console.error("usage: mesh-dev kcp up|down|status|reset");
      return 2;
  }
}
