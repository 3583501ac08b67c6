import { readFileSync } from "node:fs";
import { type KubeClient, type ObjectEvent, Store, type WatchEvent, WatchStats, watch } from "@kcp-mesh/sdk";
import {
  apply,
  bindExport,
  createWorkspace,
  type ShardedKcpInstance,
  startShardedKcp,
  type WorkspaceRef,
  waitFor,
} from "@kcp-mesh/sdk/testing";
import { type Observable, type Subscription, share } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { THINGS, THINGS_API, THINGS_EXPORT, thing } from "../support/things.js";
import { eventually, freshList, storeView } from "./support.js";

const WORKSPACES = "/apis/tenancy.kcp.io/v1alpha1/workspaces";

interface Consumer extends WorkspaceRef {
  shard: string;
  /** The endpoint of the consumer's shard in the APIExportEndpointSlice. */
  endpoint: string;
}

// The runtime against a kcp of two shards (its own sharded-test-server, not the shared kcp): the
// export's APIExportEndpointSlice lists one virtual workspace URL per shard with bindings, and
// watch() runs one connection set per URL.
describe("watch() on a two-shard kcp", () => {
  let kcp: ShardedKcpInstance;
  let root: KubeClient;
  let provider: KubeClient;
  let sliceUrls: string[];
  const consumers: Consumer[] = [];
  let events$: Observable<WatchEvent>;
  const seen: WatchEvent[] = [];
  const store = new Store();
  const stats = new WatchStats();
  const subs: Subscription[] = [];

  /** Creates `<parent>:<name>` on the named shard and checks that kcp put it there. */
  async function workspaceOn(parent: string, name: string, shard: string): Promise<WorkspaceRef> {
    const ref = await createWorkspace(root, `${parent}:${name}`, {
      location: { selector: { matchLabels: { name: shard } } },
    });
    const ws = await root
      .forWorkspace(parent)
      .request<{ metadata: { annotations?: Record<string, string> } }>({ path: `${WORKSPACES}/${name}` });
    expect(ws.metadata.annotations?.["core.kcp.io/shard"]).toBe(shard);
    return ref;
  }

  beforeAll(async () => {
    const started = Date.now();
    kcp = await startShardedKcp({ shards: 2 });
    process.stderr.write(`[test] sharded kcp ready in ${Date.now() - started} ms (${kcp.rootDir})\n`);
    expect(kcp.shards.map((s) => s.name)).toEqual(["root", "shard-1"]);
    root = kcp.admin();

    const base = "root:multi";
    await createWorkspace(root, base);
    const providerRef = await workspaceOn(base, "provider", "root");
    provider = root.forWorkspace(providerRef.path);
    await apply(provider, readFileSync(new URL("../fixtures/things-provider.yaml", import.meta.url), "utf8"));
    for (const [name, shard] of [
      ["c-root", "root"],
      ["c-s1", "shard-1"],
      ["c-s1b", "shard-1"],
    ] as const) {
      const ref = await workspaceOn(base, name, shard);
      await bindExport(root.forWorkspace(ref.path), { path: providerRef.path, name: THINGS_EXPORT });
      consumers.push({ ...ref, shard, endpoint: "" });
    }

    sliceUrls = await waitFor(
      "the APIExportEndpointSlice to list both shards",
      async () => {
        const s = await provider.get<{ status?: { endpoints?: { url: string }[] } }>(
          `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${THINGS_EXPORT}`,
        );
        const urls = (s?.status?.endpoints ?? []).map((e) => e.url);
        return urls.length === 2 ? urls.sort() : undefined;
      },
      { timeoutMs: 60_000 },
    );
    for (const c of consumers) {
      const shard = kcp.shards.find((s) => s.name === c.shard)!;
      c.endpoint = sliceUrls.find((u) => u.startsWith(`${shard.virtualWorkspaceUrl}/`)) ?? "";
    }

    const [cRoot, cS1, cS1b] = consumers.map((c) => root.forWorkspace(c.path)) as [
      KubeClient,
      KubeClient,
      KubeClient,
    ];
    await apply(cRoot, [thing("shared", "red"), thing("only-root", "white")]);
    await apply(cS1, [thing("shared", "blue")]);
    await apply(cS1b, [thing("only-s1b", "green", "kube-system")]);

    events$ = watch(THINGS, { source: { client: provider, exportName: THINGS_EXPORT }, stats }).pipe(share());
    subs.push(events$.subscribe((e) => seen.push(e)));
    subs.push(store.connect(events$));
    await eventually(() => store.list().length === 4, 60_000, "all four Things in the store");
  });

  afterAll(async () => {
    for (const s of subs) s.unsubscribe();
    root?.close();
    await kcp?.stop();
  });

  it("the endpoint slice lists one URL per shard, and watch() follows both", () => {
    expect(sliceUrls).toHaveLength(2);
    expect(sliceUrls.map((u) => new URL(u).origin)).toEqual(kcp.shards.map((s) => s.virtualWorkspaceUrl));
    for (const c of consumers) expect(c.endpoint, c.path).not.toBe("");
    const last = seen.filter((e) => e.type === "endpoints").at(-1);
    expect(last && [...last.endpoints].sort()).toEqual(sliceUrls);
  });

  it("holds the objects of workspaces on both shards, each from its shard's endpoint", async () => {
    const [cRoot, cS1, cS1b] = consumers as [Consumer, Consumer, Consumer];
    expect(storeView(store)).toEqual(
      new Map([
        [`${cRoot.id}/default/only-root`, "white"],
        [`${cRoot.id}/default/shared`, "red"],
        [`${cS1.id}/default/shared`, "blue"],
        [`${cS1b.id}/kube-system/only-s1b`, "green"],
      ]),
    );
    for (const c of consumers) {
      expect(seen).toContainEqual({ type: "engaged", workspace: c.id, endpoint: c.endpoint });
      expect(
        seen.some((e) => e.type === "engaged" && e.workspace === c.id && e.endpoint !== c.endpoint),
      ).toBe(false);
    }
    for (const i of store.list()) {
      expect(i.endpoint, i.key).toBe(consumers.find((c) => c.id === i.workspace)?.endpoint);
    }
    const objectEvents = seen.filter((e): e is ObjectEvent => "key" in e);
    expect(objectEvents.length).toBeGreaterThanOrEqual(4);
    for (const e of objectEvents) {
      expect(e.endpoint, e.key).toBe(consumers.find((c) => c.id === e.workspace)?.endpoint);
    }
    // Each shard's endpoint serves exactly the objects of its own workspaces.
    for (const url of sliceUrls) {
      const mine = new Set(consumers.filter((c) => c.endpoint === url).map((c) => c.id));
      const listed = await freshList(provider.withBaseUrl(url));
      expect([...listed.keys()].every((k) => mine.has(k.split("/")[0]!))).toBe(true);
      expect(listed).toEqual(
        new Map(
          store
            .list()
            .filter((i) => mine.has(i.workspace))
            .map((i) => [i.key, i.resourceVersion]),
        ),
      );
    }
  });

  it("streams live changes on either shard with that shard's endpoint", async () => {
    const collected: ObjectEvent[] = [];
    const sub = events$.subscribe((e) => {
      if ("key" in e && e.name === "live") collected.push(e);
    });
    try {
      for (const c of consumers.slice(0, 2)) {
        await apply(root.forWorkspace(c.path), [thing("live", c.shard)]);
      }
      await eventually(() => collected.length >= 2, 30_000, "live events from both shards");
      expect(collected.map((e) => [e.type, e.workspace, e.endpoint])).toEqual(
        consumers.slice(0, 2).map((c) => ["added", c.id, c.endpoint]),
      );
      await root
        .forWorkspace(consumers[1]!.path)
        .request({ method: "DELETE", path: `${THINGS_API}/namespaces/default/things/live` });
      await eventually(() => collected.some((e) => e.type === "deleted"), 30_000, "delete on shard-1");
      expect(collected.at(-1)).toMatchObject({
        type: "deleted",
        workspace: consumers[1]!.id,
        endpoint: consumers[1]!.endpoint,
      });
    } finally {
      sub.unsubscribe();
    }
    expect(stats.restarts).toBe(0);
  });
});
