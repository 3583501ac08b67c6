import type { KubeClient, KubeObject, Store } from "@kcp-mesh/sdk";
import { CLUSTER_ANNOTATION } from "@kcp-mesh/sdk";
import { THINGS_API } from "../support/things.js";

/** Polls until `cond` holds (default 30 s). */
export async function eventually(
  cond: () => boolean | Promise<boolean>,
  ms = 30_000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** key -> spec.color of everything in a store. */
export function storeView(store: Store): Map<string, string> {
  return new Map(
    store
      .list()
      .map((i) => [i.key, (i.object.spec as { color: string }).color] as [string, string])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** key -> resourceVersion of a fresh wildcard list through a virtual workspace client. */
export async function freshList(
  vw: KubeClient,
  workspaces?: ReadonlySet<string>,
): Promise<Map<string, string>> {
  const list = await vw.request<{ items: KubeObject[] }>({ path: `/clusters/*${THINGS_API}/things` });
  return new Map(
    list.items
      .filter((o) => !workspaces || workspaces.has(o.metadata.annotations?.[CLUSTER_ANNOTATION] ?? ""))
      .map((o) => [
        `${o.metadata.annotations?.[CLUSTER_ANNOTATION]}/${o.metadata.namespace ?? ""}/${o.metadata.name}`,
        o.metadata.resourceVersion ?? "",
      ]),
  );
}
