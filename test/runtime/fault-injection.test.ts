import { type KubeClient, Store, WatchStats, watch } from "@kcp-mesh/sdk";
import { apply, type WorkspaceRef } from "@kcp-mesh/sdk/testing";
import type { Subscription } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS, THINGS_API, thing } from "../support/things.js";
import { eventually, freshList } from "./support.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

// Connections between the SDK and kcp are cut at random while hundreds of writes happen; the cache
// must end equal to a fresh list: nothing missed, nothing extra.
describe("watch() through a TCP proxy that cuts connections", () => {
  const base = `root:rt-${uniqueSuffix()}`;
  const root = adminClient();
  let consumers: WorkspaceRef[];
  let vwUrl: string;
  let proxy: TcpProxy;
  const subs: Subscription[] = [];

  beforeAll(async () => {
    ({ consumers, vwUrl } = await setupThings(root, base, ["c1", "c2", "c3"]));
    proxy = await startTcpProxy(Number(new URL(vwUrl).port));
  });

  afterAll(async () => {
    for (const s of subs) s.unsubscribe();
    await proxy?.close();
    root.close();
  });

  it("ends with a cache equal to a fresh list after several hundred writes", async () => {
    const proxied = new URL(vwUrl);
    proxied.port = String(proxy.port);
    const stats = new WatchStats();
    const store = new Store();
    subs.push(
      store.connect(
        watch(THINGS, {
          source: { client: root, url: proxied.toString() },
          bindings: true,
          stats,
          pageSize: 20,
          backoff: { initialMs: 20, maxMs: 500 },
        }),
      ),
    );
    await store.waitForSync({ timeoutMs: 60_000 });

    const clients = consumers.map((c) => root.forWorkspace(c.path)) as KubeClient[];
    const live = consumers.map(() => new Set<string>());
    let counter = 0;
    const chaos = setInterval(() => proxy.cut(Math.random()), 40);
    const writes = 400;
    // At least this long under chaos, however fast the writes go.
    const chaosUntil = Date.now() + 8_000;
    let done = 0;
    try {
      const worker = async () => {
        // The loop ends by its number of writes and time alone; how many connections the chaos
        // cut in the meantime is counted by the proxy and checked afterwards.
        while (done < writes || Date.now() < chaosUntil) {
          done++;
          const w = Math.floor(Math.random() * clients.length);
          const client = clients[w]!;
          const names = [...live[w]!];
          const roll = Math.random();
          if (names.length === 0 || roll < 0.45) {
            const name = `t-${counter++}`;
            await apply(client, [thing(name, "c0")]);
            live[w]!.add(name);
          } else if (roll < 0.8) {
            const name = names[Math.floor(Math.random() * names.length)]!;
            await apply(client, [thing(name, `c${counter++}`)]);
          } else {
            const name = names[Math.floor(Math.random() * names.length)]!;
            live[w]!.delete(name);
            await client.request({
              method: "DELETE",
              path: `${THINGS_API}/namespaces/default/things/${name}`,
            });
          }
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
    } finally {
      clearInterval(chaos);
    }
    const chaosCuts = proxy.cuts;
    const chaosRestarts = stats.restarts;
    // Eight seconds or more with a cut attempt every 40 ms: connections must have died, and the
    // watch must have noticed (restarts other than the normal renewal).
    expect(chaosCuts).toBeGreaterThanOrEqual(10);
    // Most cuts hit a watch (the long-lived connection), each of which must count as a restart.
    expect(chaosRestarts).toBeGreaterThanOrEqual(Math.ceil(chaosCuts / 4));
    const direct = root.withBaseUrl(vwUrl);
    const wanted = new Set(consumers.map((c) => c.id));
    let last = "";
    await eventually(
      async () => {
        const fresh = await freshList(direct, wanted);
        const cached = new Map(store.list().map((i) => [i.key, i.resourceVersion]));
        last = `cache ${cached.size} objects, fresh list ${fresh.size}`;
        return JSON.stringify([...fresh].sort()) === JSON.stringify([...cached].sort());
      },
      60_000,
      "cache == fresh list",
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${last}`);
    });
    expect(store.size).toBeGreaterThan(20);

    // One more cut, now that nothing else happens: it must be counted as a restart, and the watch
    // must come back and deliver a write made after it.
    const probe = clients[0]!;
    const probeKey = { workspace: consumers[0]!.id, namespace: "default", name: "probe" };
    await apply(probe, [thing("probe", "before-cut")]);
    await eventually(
      () => (store.get(probeKey)?.object.spec as { color?: string } | undefined)?.color === "before-cut",
      30_000,
      "a live watch (the probe write reaching the store)",
    );
    const cutsBefore = proxy.cuts;
    const restartsBefore = stats.restarts;
    proxy.cut(1);
    expect(proxy.cuts).toBeGreaterThan(cutsBefore);
    await eventually(() => stats.restarts > restartsBefore, 30_000, "the cut to be counted as a restart");
    await apply(probe, [thing("probe", "after-cut")]);
    await eventually(
      () => (store.get(probeKey)?.object.spec as { color?: string } | undefined)?.color === "after-cut",
      30_000,
      "the write after the cut to reach the store",
    );
    process.stderr.write(
      `[fault-injection] ${chaosCuts} connections cut during ${done} writes (${chaosRestarts} restarts), restarts in all ${JSON.stringify(stats.byReason())}\n`,
    );
  });
});
