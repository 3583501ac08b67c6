import { resolve } from "node:path";
import { KubeClient } from "../transport/kube-client.js";
import { type KcpInstance, type StartKcpOptions, startKcp } from "./kcp-server.js";

/** What {@link kcpGlobalSetup} hands to the tests under the name `kcp` (vitest's `inject("kcp")`). */
export interface ProvidedKcp {
  /** `https://127.0.0.1:<port>` */
  baseUrl: string;
  /** kcp's admin kubeconfig. */
  kubeconfigPath: string;
  /** kcp's state folder, port and process; absent for a kcp that was running already (`KCP_KUBECONFIG`). */
  rootDir?: string;
  port?: number;
  pid?: number;
}

/** Options of {@link kcpGlobalSetup}: those of `startKcp`, or another way to start the server. */
export interface KcpGlobalSetupOptions extends StartKcpOptions {
  /** Starts the server instead of `startKcp(options)`. */
  start?: () => Promise<KcpInstance>;
  /** Where to say that kcp is ready (default stderr); `false` for silence. */
  log?: ((line: string) => void) | false;
}

/** The `setup` and `teardown` of a vitest global setup file. */
export interface KcpGlobalSetup {
  setup(project: { provide(key: "kcp", value: ProvidedKcp): void }): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * One kcp for a whole vitest run: starting kcp takes ~15-30 s, so test files share one and isolate
 * themselves by workspace. Tests read it with `inject("kcp")`. With `KCP_KUBECONFIG` set to an admin
 * kubeconfig, the tests run against that kcp (one already running, e.g. from `npm run kcp:up`)
 * and none is started.
 *
 * @example
 * ```ts
 * // test/global-setup.ts, listed in vitest.config.ts `globalSetup`
 * import { kcpGlobalSetup, type ProvidedKcp } from "@kcp-mesh/sdk/testing";
 *
 * export const { setup, teardown } = kcpGlobalSetup();
 *
 * declare module "vitest" {
 *   export interface ProvidedContext {
 *     kcp: ProvidedKcp;
 *   }
 * }
 * ```
 */
export function kcpGlobalSetup(options: KcpGlobalSetupOptions = {}): KcpGlobalSetup {
  const { start, log, ...startOptions } = options;
  const say = log === false ? undefined : (log ?? ((line: string) => process.stderr.write(`${line}\n`)));
  let kcp: KcpInstance | undefined;
  return {
    async setup(project) {
      const existing = process.env.KCP_KUBECONFIG;
      if (existing) {
        const kubeconfigPath = resolve(existing);
        const client = KubeClient.fromKubeConfig({ path: kubeconfigPath });
        const baseUrl = client.baseUrl.origin;
        client.close();
        say?.(`[test] using the running kcp at ${baseUrl} (KCP_KUBECONFIG=${existing})`);
        project.provide("kcp", { baseUrl, kubeconfigPath });
        return;
      }
      const started = Date.now();
      kcp = await (start ? start() : startKcp(startOptions));
      say?.(`[test] kcp ready at ${kcp.baseUrl} in ${Date.now() - started} ms (log: ${kcp.logFile})`);
      project.provide("kcp", {
        baseUrl: kcp.baseUrl,
        kubeconfigPath: kcp.kubeconfigPath,
        rootDir: kcp.rootDir,
        port: kcp.port,
        pid: kcp.pid,
      });
    },
    async teardown() {
      await kcp?.stop();
      kcp = undefined;
    },
  };
}
