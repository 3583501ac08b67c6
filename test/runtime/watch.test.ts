import { type KubeClient, type ObjectEvent, Store, type WatchEvent, WatchStats, watch } from "@kcp-mesh/sdk";
import { apply, bindExport, createWorkspace, type WorkspaceRef } from "@kcp-mesh/sdk/testing";
import { filter, firstValueFrom, type Observable, type Subscription, share } from "rxjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS, THINGS_API, THINGS_EXPORT, thing } from "../support/things.js";
import { eventually, freshList, storeView } from "./support.js";

// The runtime over kcp's APIExport virtual workspace, reached the way a provider does: from the
// provider workspace and the export name, through the APIExportEndpointSlice.
describe("watch() on real kcp", () => {
  const base = `root:rt-${uniqueSuffix()}`;
  const root = adminClient();
  let provider: KubeClient;
  let consumers: WorkspaceRef[];
  let vwUrl: string;
  let events$: Observable<WatchEvent>;
  const seen: WatchEvent[] = [];
  const store = new Store();
  const stats = new WatchStats();
  const subs: Subscription[] = [];

  beforeAll(async () => {
    const setup = await setupThings(root, base, ["c1", "c2", "c3"]);
    consumers = setup.consumers;
    vwUrl = setup.vwUrl;
    provider = root.forWorkspace(setup.provider.path);
    const [c1, c2, c3] = consumers.map((c) => root.forWorkspace(c.path)) as [
      KubeClient,
      KubeClient,
      KubeClient,
    ];
    await apply(c1, [thing("shared", "red"), thing("only-1", "white")]);
    await apply(c2, [thing("shared", "blue")]);
    await apply(c3, [thing("only-3", "green", "kube-system")]);
    events$ = watch(THINGS, { source: { client: provider, exportName: THINGS_EXPORT }, stats }).pipe(share());
    subs.push(events$.subscribe((e) => seen.push(e)));
    subs.push(store.connect(events$));
    await store.waitForSync({ timeoutMs: 60_000 });
  });

  afterAll(() => {
    for (const s of subs) s.unsubscribe();
    root.close();
  });

  // Checked after every test, so whichever test restarts the watch is the one that fails, whatever
  // the order or the filter (-t) the tests run with. Renewals (`expired`) are normal.
  afterEach(() => {
    expect(stats.byReason()).toMatchObject({
      gone: 0,
      "not-found": 0,
      error: 0,
      disconnect: 0,
      inactivity: 0,
    });
    expect(stats.restarts).toBe(0);
  });

  it("holds the objects of all three workspaces, same namespace/name apart", async () => {
    const [c1, c2, c3] = consumers as [WorkspaceRef, WorkspaceRef, WorkspaceRef];
    expect(storeView(store)).toEqual(
      new Map([
        [`${c1.id}/default/only-1`, "white"],
        [`${c1.id}/default/shared`, "red"],
        [`${c2.id}/default/shared`, "blue"],
        [`${c3.id}/kube-system/only-3`, "green"],
      ]),
    );
    expect(
      store
        .list({ workspace: c1.id })
        .map((i) => i.name)
        .sort(),
    ).toEqual(["only-1", "shared"]);
    const endpoints = seen.find((e) => e.type === "endpoints");
    expect(endpoints).toEqual({ type: "endpoints", endpoints: [vwUrl] });
    for (const c of consumers)
      expect(seen).toContainEqual({ type: "engaged", workspace: c.id, endpoint: vwUrl });
    expect(await freshList(provider.withBaseUrl(vwUrl))).toEqual(
      new Map(store.list().map((i) => [i.key, i.resourceVersion])),
    );
  });

  it("streams create, update and delete in order, with the right workspace", async () => {
    const c2 = consumers[1]!;
    const client = root.forWorkspace(c2.path);
    const mine = (e: WatchEvent): e is ObjectEvent => "key" in e && e.name === "seq";
    const collected: ObjectEvent[] = [];
    const sub = events$.pipe(filter(mine)).subscribe((e) => collected.push(e));
    try {
      await apply(client, [thing("seq", "one")]);
      await apply(client, [thing("seq", "two")]);
      await client.request({ method: "DELETE", path: `${THINGS_API}/namespaces/default/things/seq` });
      await eventually(() => collected.some((e) => e.type === "deleted"));
      expect(collected.map((e) => [e.type, e.workspace, (e.object.spec as { color: string }).color])).toEqual(
        [
          ["added", c2.id, "one"],
          ["modified", c2.id, "two"],
          ["deleted", c2.id, "two"],
        ],
      );
      expect(collected.every((e) => e.endpoint === vwUrl && !e.initial)).toBe(true);
      expect(store.get({ workspace: c2.id, namespace: "default", name: "seq" })).toBeUndefined();
    } finally {
      sub.unsubscribe();
    }
  });

  it("picks up a workspace bound while running, without a restart", async () => {
    const c4 = await createWorkspace(root, `${base}:c4`);
    const engaged = firstValueFrom(
      events$.pipe(filter((e) => e.type === "engaged" && e.workspace === c4.id)),
    );
    await bindExport(root.forWorkspace(c4.path), { path: `${base}:provider`, name: THINGS_EXPORT });
    await apply(root.forWorkspace(c4.path), [thing("shared", "purple")]);
    await engaged;
    await eventually(
      () => store.get({ workspace: c4.id, namespace: "default", name: "shared" }) !== undefined,
    );
    expect(store.list({ workspace: c4.id }).map((i) => (i.object.spec as { color: string }).color)).toEqual([
      "purple",
    ]);
    consumers.push(c4);
  });

  it("releases a workspace whose binding is deleted", async () => {
    const c3 = consumers[2]!;
    const disengaged = firstValueFrom(
      events$.pipe(filter((e) => e.type === "disengaged" && e.workspace === c3.id)),
    );
    await root
      .forWorkspace(c3.path)
      .request({ method: "DELETE", path: `/apis/apis.kcp.io/v1alpha2/apibindings/${THINGS_EXPORT}` });
    await disengaged;
    const released = seen.length;
    expect(store.list({ workspace: c3.id })).toEqual([]);
    expect(seen.some((e) => e.type === "deleted" && e.workspace === c3.id && e.name === "only-3")).toBe(true);
    // The other workspaces are untouched.
    expect(store.list({ workspace: consumers[0]!.id })).toHaveLength(2);
    // Later writes in the released workspace stay out. kcp refuses them (the API is going or
    // gone there); the write must fail that way, not silently succeed.
    const write = apply(root.forWorkspace(c3.path), [thing("only-3", "changed", "kube-system")]);
    await expect(write).rejects.toThrow(/is not served|while custom resource definition is terminating/);
    // A marker written afterwards in another workspace comes through the same watch: once the
    // store holds it, anything of c3 written before it would have arrived too.
    const c1 = consumers[0]!;
    await apply(root.forWorkspace(c1.path), [thing("marker-after-release", "red")]);
    await eventually(
      () => store.get({ workspace: c1.id, namespace: "default", name: "marker-after-release" }) !== undefined,
      30_000,
      "the marker written after the release to reach the store",
    );
    expect(store.list({ workspace: c3.id })).toEqual([]);
    expect(seen.slice(released).filter((e) => "workspace" in e && e.workspace === c3.id)).toEqual([]);
  });
});
