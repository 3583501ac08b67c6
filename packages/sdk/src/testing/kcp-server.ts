import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeClient } from "../transport/kube-client.js";
import { ensureKcpBinaries } from "./kcp-binary.js";

export interface StartKcpOptions {
  /** kcp's state folder; default a new temporary folder. Reusing a folder restarts kcp on its data. */
  rootDir?: string;
  /** kcp binary; default from {@link ensureKcpBinaries} (KCP_BIN or the build cache). */
  binary?: string;
  /** kcp's log file; default `<rootDir>/kcp.log`. */
  logFile?: string;
  /** Fixed secure port; default a free loopback port. Needed to restart kcp on the same data. */
  port?: number;
  /** How long to wait for /readyz; default 180 s. */
  readyTimeoutMs?: number;
  /** Extra `kcp start` flags. */
  extraArgs?: string[];
  /**
   * Keep kcp running after this process exits (for `kcp:up`). By default a watchdog stops kcp
   * when the process that started it dies, so a crashed test run leaves nothing behind.
   */
  detach?: boolean;
}

/** A running kcp. */
export interface KcpInstance {
  /** `https://127.0.0.1:<port>` */
  baseUrl: string;
  port: number;
  rootDir: string;
  /** Admin kubeconfig written by kcp (context `root` points at `/clusters/root`). */
  kubeconfigPath: string;
  logFile: string;
  pid: number;
  /** An admin client for a workspace path (default `root`). */
  admin(workspace?: string): KubeClient;
  /** Stops kcp and waits until its whole process group is gone. */
  stop(): Promise<void>;
}

/** Picks free TCP ports on 127.0.0.1. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const addr = s.address();
    return typeof addr === "object" && addr ? addr.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 25): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Stops a process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once the leader is gone.
 */
export async function stopProcessGroup(pid: number, graceMs = 15_000): Promise<void> {
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signalGroup("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) signalGroup("SIGKILL");
  while (alive(pid)) await sleep(50);
  // Children that outlived the leader (embedded etcd runs in-process, but be sure).
  signalGroup("SIGKILL");
}

/** A watchdog process: see {@link startWatchdog}. */
export interface Watchdog {
  /** Ends the watchdog (not the process it guards). */
  cancel(): void;
}

/**
 * Starts a watchdog that stops the process group of `pid` (SIGTERM, SIGKILL after `graceSeconds`)
 * as soon as this process dies. It is a separate process, so it also works when this one is
 * SIGKILLed; it ends by itself when the guarded process ends.
 */
export function startWatchdog(pid: number, graceSeconds = 15): Watchdog {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill -TERM -${pid} 2>/dev/null; sleep ${graceSeconds}; kill -KILL -${pid} 2>/dev/null; exit 0`;
  const watchdog = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
  watchdog.unref();
  return {
    cancel() {
      if (!watchdog.pid) return;
      try {
        process.kill(-watchdog.pid, "SIGKILL");
      } catch {
        // watchdog already ended
      }
    },
  };
}

/**
 * Starts a real kcp on free loopback ports and waits until it is ready. Think envtest: provider
 * teams call this in their own tests.
 *
 * @example
 * ```ts
 * const kcp = await startKcp();
 * try {
 *   const root = kcp.admin();
 *   console.log(await root.request({ path: "/apis/tenancy.kcp.io/v1alpha1/workspaces" }));
 * } finally {
 *   await kcp.stop();
 * }
 * ```
 */
export async function startKcp(options: StartKcpOptions = {}): Promise<KcpInstance> {
  const binary = options.binary ?? (await ensureKcpBinaries()).kcp;
  const rootDir = options.rootDir ?? mkdtempSync(join(tmpdir(), "kcp-"));
  mkdirSync(rootDir, { recursive: true });
  const logFile = options.logFile ?? join(rootDir, "kcp.log");
  const [p0, etcdClient, etcdPeer] = await freePorts(3);
  const port = options.port ?? p0!;
  const args = [
    "start",
    `--root-directory=${rootDir}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    `--embedded-etcd-client-port=${etcdClient}`,
    `--embedded-etcd-peer-port=${etcdPeer}`,
    ...(options.extraArgs ?? []),
  ];
  const out = openSync(logFile, "a");
  const child: ChildProcess = spawn(binary, args, {
    detached: true, // own process group, so stop() can take all of it
    stdio: ["ignore", out, out],
    env: { ...process.env, UNSAFE_E2E_HACK_DISABLE_ETCD_FSYNC: "true" },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}`);
  child.unref();
  let exited: number | null = null;
  child.on("exit", (code) => {
    exited = code ?? -1;
  });

  const watchdog = options.detach ? undefined : startWatchdog(pid);

  const kubeconfigPath = join(rootDir, "admin.kubeconfig");
  const baseUrl = `https://127.0.0.1:${port}`;
  const timeout = options.readyTimeoutMs ?? 180_000;
  const deadline = Date.now() + timeout;
  let lastError = "";
  for (;;) {
    if (exited !== null) {
      throw new Error(
        `kcp exited with code ${exited} before it was ready. Log ${logFile}:\n${logTail(logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      await stopProcessGroup(pid);
      throw new Error(
        `kcp was not ready after ${timeout / 1000}s (${lastError}). Log ${logFile}:\n${logTail(logFile)}`,
      );
    }
    if (existsSync(kubeconfigPath)) {
      try {
        const client = KubeClient.fromKubeConfig({ path: kubeconfigPath }).withBaseUrl(baseUrl);
        const res = await client.open({ path: "/readyz" }, "text/plain");
        res.resume();
        client.close();
        if (res.statusCode === 200) break;
        lastError = `/readyz answered ${res.statusCode}`;
      } catch (err) {
        lastError = (err as Error).message;
      }
    }
    await sleep(250);
  }

  const clients: KubeClient[] = [];
  return {
    baseUrl,
    port,
    rootDir,
    kubeconfigPath,
    logFile,
    pid,
    admin(workspace = "root") {
      const c = KubeClient.fromKubeConfig({ path: kubeconfigPath }).forWorkspace(workspace);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await stopProcessGroup(pid);
      watchdog?.cancel();
    },
  };
}
