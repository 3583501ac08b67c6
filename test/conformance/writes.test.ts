import { KubeApiError, type KubeObject } from "@kcp-mesh/sdk";
import { apply } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWidget, type World, widget, widgetPath, world } from "./world.js";

type Widget = KubeObject & { spec: Record<string, unknown>; status?: Record<string, unknown> };
interface Entry {
  manager: string;
  operation: string;
  subresource?: string;
  fieldsV1?: Record<string, Record<string, unknown>>;
}
const entries = (o: KubeObject) => (o.metadata.managedFields ?? []) as Entry[];

async function failure(p: Promise<unknown>): Promise<KubeApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KubeApiError);
  return err as KubeApiError;
}

describe("conformance: writes in a workspace", () => {
  let w: World;
  let c: World["vw"];
  beforeAll(async () => {
    w = await world("cwr", 1);
    c = w.ws(w.consumers[0]!);
  });
  afterAll(() => w.root.close());

  it("creates with uid, creationTimestamp, generation 1 and a resourceVersion; a second create is 409 AlreadyExists", async () => {
    const o = await createWidget(c, widget("created"));
    expect(o.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.metadata.creationTimestamp).toMatch(/Z$/);
    expect(o.metadata.generation).toBe(1);
    expect(o.metadata.resourceVersion).toMatch(/^\d+$/);
    const err = await failure(createWidget(c, widget("created")));
    expect(err.status).toBe(409);
    expect(err.reason).toBe("AlreadyExists");
  });

  it("names an object from generateName", async () => {
    const o = await c.request<KubeObject>({
      method: "POST",
      path: widgetPath(),
      body: { ...widget(""), metadata: { generateName: "gen-", namespace: "default" } },
    });
    expect(o.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it("answers 404 NotFound with a Status for a missing object, and for a missing namespace on create", async () => {
    const err = await failure(c.request({ path: widgetPath("missing") }));
    expect(err.status).toBe(404);
    expect(err.reason).toBe("NotFound");
    const ns = await failure(createWidget(c, widget("x", { size: "small" }, "no-such-namespace")));
    expect(ns.status).toBe(404);
  });

  it("refuses an update from a stale resourceVersion with 409 Conflict, and one without resourceVersion with 422", async () => {
    const o = await createWidget(c, widget("conflict"));
    await c.request({ method: "PUT", path: widgetPath("conflict"), body: { ...o, spec: { size: "large" } } });
    const stale = await failure(
      c.request({ method: "PUT", path: widgetPath("conflict"), body: { ...o, spec: { size: "small" } } }),
    );
    expect(stale.status).toBe(409);
    expect(stale.reason).toBe("Conflict");
    const { resourceVersion: _rv, ...meta } = o.metadata;
    const none = await failure(
      c.request({ method: "PUT", path: widgetPath("conflict"), body: { ...o, metadata: meta } }),
    );
    expect(none.status).toBe(422);
  });

  it("splits spec and status: the main resource ignores status, /status ignores spec; generation counts spec changes", async () => {
    const o = await createWidget(c, { ...widget("split"), status: { phase: "ignored" } } as KubeObject);
    expect((o as Widget).status).toBeUndefined();
    const s = await c.request<Widget>({
      method: "PUT",
      path: `${widgetPath("split")}/status`,
      body: { ...o, spec: { size: "large" }, status: { phase: "Ready" } },
    });
    expect(s.status).toEqual({ phase: "Ready" });
    expect(s.spec.size).toBe("small");
    expect(s.metadata.generation).toBe(1);
    const m = await c.request<Widget>({
      method: "PUT",
      path: widgetPath("split"),
      body: { ...s, spec: { ...s.spec, size: "large" }, status: { phase: "Lost" } },
    });
    expect(m.status).toEqual({ phase: "Ready" });
    expect(m.spec.size).toBe("large");
    expect(m.metadata.generation).toBe(2);
    const labelled = await c.request<Widget>({
      method: "PATCH",
      path: widgetPath("split"),
      body: { metadata: { labels: { a: "b" } } },
      contentType: "application/merge-patch+json",
    });
    expect(labelled.metadata.generation).toBe(2);
  });

  it("applies a JSON merge patch (null removes) and a JSON patch (a failed test op is 422)", async () => {
    await createWidget(c, widget("patched", { size: "small", name: "abc", tags: ["x"] }));
    const merged = await c.request<Widget>({
      method: "PATCH",
      path: widgetPath("patched"),
      body: { spec: { name: null, tags: ["y", "z"] } },
      contentType: "application/merge-patch+json",
    });
    expect(merged.spec).not.toHaveProperty("name");
    expect(merged.spec.tags).toEqual(["y", "z"]);
    const patched = await c.request<Widget>({
      method: "PATCH",
      path: widgetPath("patched"),
      body: [
        { op: "test", path: "/spec/size", value: "small" },
        { op: "add", path: "/spec/tags/-", value: "w" },
        { op: "replace", path: "/spec/size", value: "large" },
      ],
      contentType: "application/json-patch+json",
    });
    expect(patched.spec.tags).toEqual(["y", "z", "w"]);
    expect(patched.spec.size).toBe("large");
    const err = await failure(
      c.request({
        method: "PATCH",
        path: widgetPath("patched"),
        body: [{ op: "test", path: "/spec/size", value: "small" }],
        contentType: "application/json-patch+json",
      }),
    );
    expect(err.status).toBe(422);
    const rvErr = await failure(
      c.request({
        method: "PATCH",
        path: widgetPath("patched"),
        body: { metadata: { resourceVersion: "1" }, spec: { size: "small" } },
        contentType: "application/merge-patch+json",
      }),
    );
    expect(rvErr.status).toBe(409);
  });

  it("server-side apply: creates, records the manager, drops fields it stops applying, keeps others' fields", async () => {
    const [o] = await apply(c, [widget("applied", { size: "small", name: "abc", tags: ["t"] })], {
      fieldManager: "ssa-a",
    });
    const mine = entries(o!).find((e) => e.manager === "ssa-a");
    expect(mine?.operation).toBe("Apply");
    expect(Object.keys(mine?.fieldsV1?.["f:spec"] ?? {}).sort()).toEqual(["f:name", "f:size", "f:tags"]);
    await c.request({
      method: "PATCH",
      path: widgetPath("applied"),
      query: { fieldManager: "other" },
      body: { spec: { replicas: 3 } },
      contentType: "application/merge-patch+json",
    });
    const [after] = await apply(c, [widget("applied", { size: "small" })], { fieldManager: "ssa-a" });
    expect((after as Widget).spec).not.toHaveProperty("name");
    expect((after as Widget).spec).not.toHaveProperty("tags");
    expect((after as Widget).spec.replicas).toBe(3);
    expect(entries(after!).find((e) => e.manager === "other")?.operation).toBe("Update");
  });

  it("server-side apply without force is a 409 conflict on a field another manager set differently", async () => {
    await apply(c, [widget("contested", { size: "small" })], { fieldManager: "first" });
    const err = await failure(
      apply(c, [widget("contested", { size: "large" })], { fieldManager: "second", force: false }),
    );
    expect(err.status).toBe(409);
    const [forced] = await apply(c, [widget("contested", { size: "large" })], {
      fieldManager: "second",
      force: true,
    });
    expect((forced as Widget).spec.size).toBe("large");
  });

  it("applies status through /status, recorded with subresource status", async () => {
    await createWidget(c, widget("status-apply"));
    const o = await c.request<Widget>({
      method: "PATCH",
      path: `${widgetPath("status-apply")}/status`,
      query: { fieldManager: "status-owner", force: true },
      body: {
        apiVersion: "conformance.example.io/v1alpha1",
        kind: "Widget",
        metadata: { name: "status-apply", namespace: "default" },
        status: { phase: "Ready" },
      },
      contentType: "application/apply-patch+yaml",
    });
    expect(o.status).toEqual({ phase: "Ready" });
    const e = entries(o).find((x) => x.manager === "status-owner");
    expect(e).toMatchObject({ operation: "Apply", subresource: "status" });
  });

  it("stores the kcp.io/cluster annotation on the first update of an object read back, then writes nothing for an update that changes nothing", async () => {
    const o = await createWidget(c, widget("noop"));
    // kcp derives the annotation on read and does not store it on create: sending the object back
    // as read stores it, which is a change.
    const first = await c.request<KubeObject>({ method: "PUT", path: widgetPath("noop"), body: o });
    expect(first.metadata.resourceVersion).not.toBe(o.metadata.resourceVersion);
    const second = await c.request<KubeObject>({ method: "PUT", path: widgetPath("noop"), body: first });
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it("posts an Event named from generateName", async () => {
    const ev = await c.request<KubeObject>({
      method: "POST",
      path: "/api/v1/namespaces/default/events",
      body: {
        apiVersion: "v1",
        kind: "Event",
        metadata: { generateName: "w." },
        involvedObject: { kind: "Widget", name: "w", namespace: "default" },
        reason: "Test",
        message: "hello",
        type: "Normal",
      },
    });
    expect(ev.metadata.name).toMatch(/^w\./);
  });

  it("moves a Secret's stringData into data (base64) and defaults its type to Opaque", async () => {
    const s = await c.request<
      KubeObject & { data?: Record<string, string>; stringData?: unknown; type?: string }
    >({
      method: "POST",
      path: "/api/v1/namespaces/default/secrets",
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "string-data" },
        stringData: { user: "me" },
        data: { raw: "eA==" },
      },
    });
    expect(s.data).toEqual({ user: Buffer.from("me").toString("base64"), raw: "eA==" });
    expect(s).not.toHaveProperty("stringData");
    expect(s.type).toBe("Opaque");
  });
});
