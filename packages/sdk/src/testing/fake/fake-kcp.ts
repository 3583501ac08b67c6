import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { KubeClient } from "../../transport/kube-client.js";
import type { KcpInstance } from "../kcp-server.js";
import { admitBinding, reconcileApis } from "./apis-controller.js";
import type { WatchServing } from "./collection.js";
import { type FakeKcpFaults, FaultState } from "./faults.js";
import { handleRequest } from "./handler.js";
import { FakeState } from "./state.js";
import { deletesGracefully, serviceAccountDeleted, workspaceCreated } from "./tenancy.js";
import { FAKE_KCP_CERT, FAKE_KCP_KEY } from "./tls.js";

/** Options of {@link startFakeKcp}. */
export interface StartFakeKcpOptions {
  /** Folder for the admin kubeconfig; default a new temporary folder (removed by `stop()`). */
  rootDir?: string;
  /** Fixed port on 127.0.0.1; default a free one. */
  port?: number;
  /**
   * How long after a write its watch events go out, in ms; default 10. kcp's watch events follow
   * the write's answer by a few milliseconds; 0 sends them as soon as the write is done.
   */
  watchDelayMs?: number;
  /**
   * How often watches that allow bookmarks get one, in ms; default 0, never: kcp's virtual
   * workspace sends none in a watch's first minutes (only the initial-events-end bookmark of a
   * watch from resourceVersion 0, which the fake sends too).
   */
  bookmarkIntervalMs?: number;
}

/** A running fake kcp: a {@link KcpInstance} plus fault hooks. */
export interface FakeKcpInstance extends KcpInstance {
  /** Faults to inject: cut connections, expire watches, fail requests, add latency. */
  faults: FakeKcpFaults;
}

/**
 * Starts an in-process fake of kcp on 127.0.0.1: workspaces, APIResourceSchemas, APIExports,
 * APIBindings with permission claims, APIExportEndpointSlices and the APIExport virtual workspace,
 * with list/watch, server-side apply, finalizers, schema validation and defaulting (CEL included)
 * and RBAC, as far as the SDK's runtime and testing helpers use them. It answers in microseconds
 * and needs neither Go nor a kcp binary; a conformance suite (`test/conformance/`) holds it to the
 * real kcp. It returns the same handle as {@link startKcp}, so a test switches with one line.
 *
 * It serves HTTPS with a built-in self-signed certificate (the kubeconfig trusts it), is one shard,
 * and keeps everything in memory.
 *
 * @example
 * ```ts
 * import { bindExport, createWorkspace, startFakeKcp } from "@kcp-mesh/sdk/testing";
 *
 * const kcp = await startFakeKcp(); // instead of: await startKcp()
 * try {
 *   const root = kcp.admin();
 *   const ws = await createWorkspace(root, "root:consumers:acme");
 *   console.log(ws.id); // the logical cluster id that kcp.io/cluster annotations hold
 * } finally {
 *   await kcp.stop();
 * }
 * ```
 */
export async function startFakeKcp(options: StartFakeKcpOptions = {}): Promise<FakeKcpInstance> {
  const server = createServer({ cert: FAKE_KCP_CERT, key: FAKE_KCP_KEY });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  const baseUrl = `https://127.0.0.1:${port}`;
  const state = new FakeState(baseUrl);
  state.hooks = {
    beforeCreate: (a, o) => workspaceCreated(state, a, admitBinding(state, a, o)),
    afterDelete: (a) => serviceAccountDeleted(state, a),
    deletesGracefully: deletesGracefully,
  };
  const watches: WatchServing = {
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 0,
    dispatchDelayMs: options.watchDelayMs ?? 10,
    open: new Set(),
  };
  const faults = new FaultState(
    () => state.store.compact(),
    () => {
      for (const w of [...watches.open]) w.expire();
    },
  );
  server.on("connection", (socket) => {
    faults.sockets.add(socket);
    socket.on("close", () => faults.sockets.delete(socket));
  });
  server.on("request", (req, res) => {
    void handleRequest(state, faults, watches, req, res);
  });
  reconcileApis(state);
  if (process.env.FAKE_KCP_TRACE) {
    // Every write, for debugging a test against the fake.
    state.store.subscribe((c) =>
      process.stderr.write(
        `[fake-kcp] ${c.rv} ${c.type} ${c.resource} ${c.cluster}/${c.namespace}/${c.name}\n`,
      ),
    );
  }

  const ownDir = options.rootDir === undefined;
  const rootDir = options.rootDir ?? mkdtempSync(join(tmpdir(), "fake-kcp-"));
  mkdirSync(rootDir, { recursive: true });
  const kubeconfigPath = join(rootDir, "admin.kubeconfig");
  const ca = Buffer.from(FAKE_KCP_CERT).toString("base64");
  writeFileSync(
    kubeconfigPath,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "root", cluster: { server: `${baseUrl}/clusters/root`, "certificate-authority-data": ca } },
        { name: "base", cluster: { server: baseUrl, "certificate-authority-data": ca } },
      ],
      users: [{ name: "kcp-admin", user: { token: state.adminToken } }],
      contexts: [
        { name: "root", context: { cluster: "root", user: "kcp-admin" } },
        { name: "base", context: { cluster: "base", user: "kcp-admin" } },
      ],
      "current-context": "root",
    }),
    { mode: 0o600 },
  );

  const clients: KubeClient[] = [];
  let stopped = false;
  return {
    baseUrl,
    port,
    rootDir,
    kubeconfigPath,
    logFile: "",
    pid: process.pid,
    faults,
    admin(workspace = "root") {
      const c = KubeClient.fromKubeConfig({ path: kubeconfigPath }).forWorkspace(workspace);
      clients.push(c);
      return c;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const c of clients) c.close();
      for (const w of [...watches.open]) w.end();
      faults.dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDir) rmSync(rootDir, { recursive: true, force: true });
    },
  };
}
