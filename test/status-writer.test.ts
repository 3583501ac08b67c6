import type { KubeObject } from "@kcp-mesh/sdk";
import { apply } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addFinalizerPatch, removeFinalizerPatch } from "../packages/sdk/src/controller/finalizers.js";
import { StatusWriter } from "../packages/sdk/src/controller/status-writer.js";
import { adminClient, uniqueSuffix } from "./support/kcp.js";
import { setupThings, THINGS, THINGS_API, type ThingsSetup, thing } from "./support/things.js";

// What the runtime writes into consumer workspaces, checked against kcp's virtual workspace:
// status by server-side apply and finalizers by guarded JSON patches, never the spec.
describe("status and finalizer writes through the virtual workspace", () => {
  const root = adminClient();
  let setup: ThingsSetup;
  let writer: StatusWriter;
  let key: { workspace: string; namespace: string; name: string };
  const read = () =>
    root
      .forWorkspace(setup.consumers[0]!.path)
      .request<KubeObject>({ path: `${THINGS_API}/namespaces/default/things/w1` });

  beforeAll(async () => {
    setup = await setupThings(root, `root:sw-${uniqueSuffix()}`, ["consumer"]);
    await apply(root.forWorkspace(setup.consumers[0]!.path), [thing("w1", "red")]);
    writer = new StatusWriter(root.withBaseUrl(setup.vwUrl), THINGS, "test-provider");
    key = { workspace: setup.consumers[0]!.id, namespace: "default", name: "w1" };
  });
  afterAll(() => root.close());

  it("applies status, removes fields it no longer sets, and keeps fields others own", async () => {
    await writer.applyStatus(key, { phase: "Pending", observedGeneration: 1 });
    expect((await read()).status).toEqual({ phase: "Pending", observedGeneration: 1 });
    // Another writer (say, a second controller) owns a field of its own.
    await root.withBaseUrl(setup.vwUrl).request({
      method: "PATCH",
      path: `/clusters/${key.workspace}${THINGS_API}/namespaces/default/things/w1/status`,
      query: { fieldManager: "someone-else" },
      body: { status: { note: "mine" } },
      contentType: "application/merge-patch+json",
    });
    // The second write no longer sets observedGeneration: it must go, and `note` must stay.
    const written = await writer.applyStatus(key, { phase: "Ready" });
    expect(written?.metadata.resourceVersion).toBeDefined();
    expect(written?.status).toEqual({ phase: "Ready", note: "mine" });
    const obj = await read();
    expect(obj.status).toEqual({ phase: "Ready", note: "mine" });
    expect(obj.status).not.toHaveProperty("observedGeneration");
    expect(obj.spec).toEqual({ color: "red" });
  });

  it("returns undefined for an object that is gone", async () => {
    expect(await writer.applyStatus({ ...key, name: "does-not-exist" }, { phase: "Ready" })).toBeUndefined();
  });

  it("adds and removes its finalizer without dropping another party's, despite a stale read", async () => {
    const stale = await read();
    // Someone adds their finalizer after our read.
    await root.withBaseUrl(setup.vwUrl).request({
      method: "PATCH",
      path: `/clusters/${key.workspace}${THINGS_API}/namespaces/default/things/w1`,
      body: { metadata: { finalizers: ["other.io/keep"] } },
      contentType: "application/merge-patch+json",
    });
    await writer.patchWithRetry(key, stale, (o) => addFinalizerPatch(o.metadata, "test.io/cleanup"));
    expect((await read()).metadata.finalizers).toEqual(["other.io/keep", "test.io/cleanup"]);
    const withBoth = await read();
    await writer.patchWithRetry(key, withBoth, (o) => removeFinalizerPatch(o.metadata, "test.io/cleanup"));
    expect((await read()).metadata.finalizers).toEqual(["other.io/keep"]);
  });
});
