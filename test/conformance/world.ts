import { readFileSync } from "node:fs";
import type { KubeClient, KubeObject } from "@kcp-mesh/sdk";
import {
  apply,
  bindExport,
  createWorkspace,
  type WorkspaceRef,
  waitForEndpointSliceUrls,
} from "@kcp-mesh/sdk/testing";
import { adminClient, uniqueSuffix } from "../support/kcp.js";

/**
 * The conformance suite runs every file against whichever server the project started: real kcp
 * (`integration` project) or the in-process fake (`fake` project). Nothing here may depend on which.
 */
export const EXPORT = "conformance.example.io";
export const WIDGETS = "/apis/conformance.example.io/v1alpha1";
export const CONFIGMAP_CLAIM = {
  group: "",
  resource: "configmaps",
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
};

/** A provider workspace exporting Widgets and consumers bound to it (the first accepts the claim). */
export interface World {
  root: KubeClient;
  provider: WorkspaceRef;
  consumers: WorkspaceRef[];
  vwUrl: string;
  /** Admin credentials against the virtual workspace. */
  vw: KubeClient;
  ws(ref: WorkspaceRef): KubeClient;
}

/** Sets up a {@link World} under `root:<prefix>-<random>`. */
export async function world(prefix: string, consumers = 2): Promise<World> {
  const root = adminClient();
  const base = `root:${prefix}-${uniqueSuffix()}`;
  const provider = await createWorkspace(root, `${base}:provider`);
  await apply(
    root.forWorkspace(provider.path),
    readFileSync(new URL("./fixtures/widgets.yaml", import.meta.url), "utf8"),
  );
  const refs: WorkspaceRef[] = [];
  for (let i = 0; i < consumers; i++) {
    const c = await createWorkspace(root, `${base}:consumer-${i}`);
    await bindExport(
      root.forWorkspace(c.path),
      { path: provider.path, name: EXPORT },
      i === 0 ? { acceptClaims: [CONFIGMAP_CLAIM] } : {},
    );
    refs.push(c);
  }
  const [vwUrl] = (await waitForEndpointSliceUrls(root.forWorkspace(provider.path), EXPORT)) as [string];
  return {
    root,
    provider,
    consumers: refs,
    vwUrl,
    vw: root.withBaseUrl(vwUrl),
    ws: (r) => root.forWorkspace(r.path),
  };
}

/** A Widget to create. */
export function widget(
  name: string,
  spec: Record<string, unknown> = { size: "small" },
  namespace = "default",
): KubeObject {
  return { apiVersion: `${EXPORT}/v1alpha1`, kind: "Widget", metadata: { name, namespace }, spec };
}

/** The path of a Widget (or the namespace's collection) in a workspace. */
export function widgetPath(name?: string, namespace = "default"): string {
  return `${WIDGETS}/namespaces/${namespace}/widgets${name ? `/${name}` : ""}`;
}

/** Creates a Widget with POST and returns what the server stored. */
export function createWidget(client: KubeClient, obj: KubeObject): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: "POST",
    path: widgetPath(undefined, obj.metadata.namespace),
    body: obj,
  });
}
