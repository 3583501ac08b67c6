import { KubeClient } from "@kcp-mesh/sdk";
import { inject } from "vitest";

/** The kcp that global-setup started for this run. */
export function kcpEnv() {
  return inject("kcp");
}

/** An admin client for a workspace path of the shared kcp (default `root`). */
export function adminClient(workspace = "root"): KubeClient {
  return KubeClient.fromKubeConfig({ path: kcpEnv().kubeconfigPath }).forWorkspace(workspace);
}

/** A suffix that keeps workspace names of repeated runs against one kcp apart. */
export function uniqueSuffix(): string {
  return Math.random().toString(36).slice(2, 7);
}
