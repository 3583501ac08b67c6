import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeClient } from "../transport/kube-client.js";
import { ensureKcpBinaries, SHARDED_KCP_BINARIES } from "./kcp-binary.js";
import { type KcpInstance, logTail, startWatchdog, stopProcessGroup } from "./kcp-server.js";

export interface StartShardedKcpOptions {
  /** Number of shards; the first one is `root`, the others `shard-1`, `shard-2`, ... Default 2. */
  shards?: number;
  /** Working folder of `sharded-test-server` (its `.kcp*` folders); default a new temporary folder. */
  workDir?: string;
  /**
   * Folder holding `sharded-test-server`, `kcp`, `cache-server` and `kcp-front-proxy` of one kcp
   * version; default the folder of {@link ensureKcpBinaries}.
   */
  binDir?: string;
  /** Log of `sharded-test-server` itself; default `<workDir>/sharded-test-server.log`. Each component logs in its own `.kcp*` folder. */
  logFile?: string;
  /** How long to wait until all shards and the front-proxy are ready; default 240 s. */
  readyTimeoutMs?: number;
  /** Extra flags: `--shard-*` go to every shard, `--proxy-*` to the front-proxy, others to `sharded-test-server`. */
  extraArgs?: string[];
  /** Keep it running after this process exits. By default a watchdog stops it when this process dies. */
  detach?: boolean;
}

/** One shard of a {@link ShardedKcpInstance}, as its `Shard` object in `root` describes it. */
export interface ShardInfo {
  /** `root`, `shard-1`, ... (also the `name` label of the Shard, usable in a Workspace's `spec.location.selector`). */
  name: string;
  /** The shard's own address (`https://127.0.0.1:6444` for `root`). */
  baseUrl: string;
  /** Host of the virtual workspace URLs the shard publishes (APIExportEndpointSlice endpoints). */
  virtualWorkspaceUrl: string;
  /** Admin kubeconfig of the shard itself (bypasses the front-proxy). */
  kubeconfigPath: string;
  logFile: string;
}

/**
 * A running multi-shard kcp. `baseUrl`, `port` and `kubeconfigPath` are those of the front-proxy,
 * which routes `/clusters/<workspace>` to the shard holding the workspace; `rootDir` is the working
 * folder.
 */
export interface ShardedKcpInstance extends KcpInstance {
  shards: ShardInfo[];
}

/** The fixed loopback ports `sharded-test-server` v0.32 uses (none of them can be chosen). */
export function shardedKcpPorts(shards: number): number[] {
  const ports = [6443, 8010, 8011, 8012];
  for (let n = 0; n < shards; n++) ports.push(6444 + n, 2379 + 2 * n, 2380 + 2 * n);
  return ports;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(true));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(false)));
  });
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a multi-shard kcp with kcp's `sharded-test-server` (a cache-server, N shards with
 * embedded etcd and a front-proxy) on loopback, and waits until it is ready (~50 s for two
 * shards). Workspaces created through the front-proxy land on any shard; pin one with
 * `spec.location.selector: { matchLabels: { name: "shard-1" } }`.
 *
 * `sharded-test-server` uses fixed ports (front-proxy 6443, shards 6444+n, etcd 2379-2380+2n,
 * cache 8010-8012), so only one can run on a machine at a time: this fails at once, naming the
 * port, when one of them is taken.
 *
 * @example
 * ```ts
 * const kcp = await startShardedKcp({ shards: 2 });
 * try {
 *   console.log(kcp.shards.map((s) => s.virtualWorkspaceUrl));
 * } finally {
 *   await kcp.stop();
 * }
 * ```
 */
export async function startShardedKcp(options: StartShardedKcpOptions = {}): Promise<ShardedKcpInstance> {
  const shardCount = options.shards ?? 2;
  if (!Number.isInteger(shardCount) || shardCount < 1)
    throw new Error(`shards must be >= 1, got ${shardCount}`);
  const binDir = options.binDir ?? (await ensureKcpBinaries({ binaries: SHARDED_KCP_BINARIES })).dir;
  const bin = (name: string) => join(binDir, name);
  const missing = ["sharded-test-server", "kcp", "cache-server", "kcp-front-proxy"].filter(
    (n) => !existsSync(bin(n)),
  );
  if (missing.length > 0) {
    throw new Error(
      `${binDir} lacks ${missing.join(", ")}: build them next to kcp (unset KCP_BIN to use the build cache)`,
    );
  }
  for (const port of shardedKcpPorts(shardCount)) {
    if (await portInUse(port)) {
      throw new Error(
        `127.0.0.1:${port} is in use: sharded-test-server needs its fixed ports (is another sharded kcp running?)`,
      );
    }
  }

  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), "kcp-sharded-"));
  mkdirSync(workDir, { recursive: true });
  const logFile = options.logFile ?? join(workDir, "sharded-test-server.log");
  const args = [
    `--number-of-shards=${shardCount}`,
    `--work-dir-path=${workDir}`,
    // Components log to their own files; keep their output out of this log.
    "--quiet",
    ...(options.extraArgs ?? []),
  ];
  const out = openSync(logFile, "a");
  const child: ChildProcess = spawn(bin("sharded-test-server"), args, {
    cwd: workDir,
    detached: true, // own process group: the components it starts join it, so stop() takes them all
    stdio: ["ignore", out, out],
    env: {
      ...process.env,
      PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}`,
      NO_GORUN: "1",
      KCP_ASSET_KCP: bin("kcp"),
      KCP_ASSET_CACHE_SERVER: bin("cache-server"),
      KCP_ASSET_KCP_FRONT_PROXY: bin("kcp-front-proxy"),
      KCP_ASSET_VIRTUAL_WORKSPACES: bin("virtual-workspaces"),
      UNSAFE_E2E_HACK_DISABLE_ETCD_FSYNC: "true",
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${bin("sharded-test-server")}`);
  child.unref();
  let exited: number | null = null;
  child.on("exit", (code) => {
    exited = code ?? -1;
  });
  const watchdog = options.detach ? undefined : startWatchdog(pid);

  const stopAll = async () => {
    await stopProcessGroup(pid);
    // Components may outlive the leader for a moment; wait until their ports are free.
    const deadline = Date.now() + 15_000;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
    watchdog?.cancel();
  };

  const kubeconfigPath = join(workDir, ".kcp", "admin.kubeconfig");
  const readyFile = join(workDir, ".kcp", "ready-to-test");
  const port = 6443;
  const baseUrl = `https://127.0.0.1:${port}`;
  const timeout = options.readyTimeoutMs ?? 240_000;
  const deadline = Date.now() + timeout;
  const clients: KubeClient[] = [];
  let shards: ShardInfo[] | undefined;
  let lastError = "";
  for (;;) {
    if (exited !== null) {
      await stopAll();
      throw new Error(
        `sharded-test-server exited with code ${exited} before it was ready. Log ${logFile}:\n${logTail(logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      await stopAll();
      throw new Error(
        `sharded kcp was not ready after ${timeout / 1000}s (${lastError || "no ready-to-test file yet"}). Log ${logFile}:\n${logTail(logFile)}`,
      );
    }
    if (existsSync(readyFile)) {
      const client = KubeClient.fromKubeConfig({ path: kubeconfigPath, context: "root" });
      try {
        const list = await client.request<{
          items: {
            metadata: { name: string };
            spec: { baseURL: string; virtualWorkspaceURL?: string };
          }[];
        }>({ path: "/apis/core.kcp.io/v1alpha1/shards" });
        if (list.items.length === shardCount) {
          shards = list.items
            .map((s) => {
              const n = s.metadata.name === "root" ? 0 : Number(s.metadata.name.replace(/^shard-/, ""));
              const dir = join(workDir, `.kcp-${n}`);
              return {
                name: s.metadata.name,
                baseUrl: s.spec.baseURL,
                virtualWorkspaceUrl: s.spec.virtualWorkspaceURL ?? s.spec.baseURL,
                kubeconfigPath: join(dir, "admin.kubeconfig"),
                logFile: join(dir, "kcp.log"),
              };
            })
            .sort((a, b) => a.baseUrl.localeCompare(b.baseUrl));
          break;
        }
        lastError = `${list.items.length} of ${shardCount} Shard objects`;
      } catch (err) {
        lastError = (err as Error).message;
      } finally {
        client.close();
      }
    }
    await sleep(250);
  }

  return {
    baseUrl,
    port,
    rootDir: workDir,
    kubeconfigPath,
    logFile,
    pid,
    shards,
    admin(workspace = "root") {
      const c = KubeClient.fromKubeConfig({ path: kubeconfigPath, context: "base" }).forWorkspace(workspace);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await stopAll();
    },
  };
}
