import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeApiError, KubeClient } from "../../transport/kube-client.js";
import { type FakeKcpInstance, startFakeKcp } from "./fake-kcp.js";

const CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

async function lines(client: KubeClient, query: Record<string, string | number | boolean>) {
  const res = await client.open({ path: CONFIGMAPS, query: { watch: true, ...query } });
  const events: { type: string; object: { code?: number } }[] = [];
  const ended = (async () => {
    try {
      for await (const l of createInterface({ input: res })) if (l.trim()) events.push(JSON.parse(l));
    } catch {
      // cut
    }
  })();
  return { events, ended };
}

describe("fake kcp fault hooks", () => {
  let kcp: FakeKcpInstance;
  let root: KubeClient;
  beforeAll(async () => {
    kcp = await startFakeKcp();
    root = kcp.admin();
  });
  afterAll(() => kcp.stop());

  it("fails the next N matching requests with the status asked for", async () => {
    kcp.faults.failNext(2, { status: 500, match: /configmaps/ });
    const status = () =>
      root.request({ path: CONFIGMAPS }).then(
        () => 200,
        (e: KubeApiError) => e.status,
      );
    expect(await root.request({ path: "/api/v1/namespaces" }).then(() => 200)).toBe(200);
    expect([await status(), await status(), await status()]).toEqual([500, 500, 200]);
  });

  it("adds latency to every answer", async () => {
    kcp.faults.latencyMs = 150;
    const t = Date.now();
    await root.request({ path: CONFIGMAPS });
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    kcp.faults.reset();
  });

  it("compacts: a watch from an older resourceVersion gets 410 Expired", async () => {
    const list = await root.request<{ metadata: { resourceVersion: string } }>({ path: CONFIGMAPS });
    await root.request({
      method: "POST",
      path: CONFIGMAPS,
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } },
    });
    kcp.faults.compact();
    const w = await lines(root, { resourceVersion: list.metadata.resourceVersion });
    await w.ended;
    expect(w.events).toEqual([
      expect.objectContaining({ type: "ERROR", object: expect.objectContaining({ code: 410 }) }),
    ]);
  });

  it("expires open watches with an ERROR 410 and ends them", async () => {
    const list = await root.request<{ metadata: { resourceVersion: string } }>({ path: CONFIGMAPS });
    const w = await lines(root, { resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 60 });
    await new Promise((r) => setTimeout(r, 50));
    kcp.faults.expireWatches();
    await w.ended;
    expect(w.events.at(-1)).toMatchObject({ type: "ERROR", object: { code: 410 } });
  });

  it("drops connections: an open watch is cut without an answer", async () => {
    const list = await root.request<{ metadata: { resourceVersion: string } }>({ path: CONFIGMAPS });
    const w = await lines(root, { resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 60 });
    await new Promise((r) => setTimeout(r, 50));
    kcp.faults.dropConnections();
    await w.ended;
    expect(w.events).toEqual([]);
    expect(await root.request({ path: CONFIGMAPS }).then(() => "ok")).toBe("ok");
  });
});
