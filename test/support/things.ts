import { readFileSync } from "node:fs";
import type { KubeClient, KubeObject } from "@kcp-mesh/sdk";
import {
  apply,
  bindExport,
  createWorkspace,
  type WorkspaceRef,
  waitForEndpointSliceUrls,
} from "@kcp-mesh/sdk/testing";

/** The hand-written `Thing` API of test/fixtures/things-provider.yaml. */
export const THINGS_EXPORT = "harness.example.io";
export const THINGS_API = "/apis/harness.example.io/v1alpha1";
export const THINGS = {
  group: "harness.example.io",
  version: "v1alpha1",
  plural: "things",
  kind: "Thing",
  namespaced: true,
} as const;

export function thing(name: string, color: string, namespace = "default"): KubeObject {
  return {
    apiVersion: "harness.example.io/v1alpha1",
    kind: "Thing",
    metadata: { name, namespace },
    spec: { color },
  };
}

export interface ThingsSetup {
  provider: WorkspaceRef;
  consumers: WorkspaceRef[];
  /** Virtual workspace URL of the export (single shard). */
  vwUrl: string;
}

/**
 * Publishes the Thing API from `<base>:provider` and binds it in `<base>:<consumer>` for each
 * consumer name. Each test file uses its own base, so files sharing one kcp stay apart.
 */
export async function setupThings(
  root: KubeClient,
  base: string,
  consumerNames: string[],
): Promise<ThingsSetup> {
  const provider = await createWorkspace(root, `${base}:provider`);
  await apply(
    root.forWorkspace(provider.path),
    readFileSync(new URL("../fixtures/things-provider.yaml", import.meta.url), "utf8"),
  );
  const consumers: WorkspaceRef[] = [];
  for (const name of consumerNames) {
    const c = await createWorkspace(root, `${base}:${name}`);
    await bindExport(root.forWorkspace(c.path), { path: provider.path, name: THINGS_EXPORT });
    consumers.push(c);
  }
  const [vwUrl] = (await waitForEndpointSliceUrls(root.forWorkspace(provider.path), THINGS_EXPORT)) as [
    string,
  ];
  return { provider, consumers, vwUrl };
}
