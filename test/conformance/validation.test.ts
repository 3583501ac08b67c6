import { KubeApiError, type KubeObject } from "@kcp-mesh/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWidget, type World, widget, world } from "./world.js";

type Widget = KubeObject & { spec: Record<string, unknown> };

async function rejected(p: Promise<unknown>): Promise<KubeApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KubeApiError);
  expect((err as KubeApiError).status).toBe(422);
  expect((err as KubeApiError).reason).toBe("Invalid");
  return err as KubeApiError;
}
const fields = (e: KubeApiError) => (e.details?.causes ?? []).map((c) => c.field);

describe("conformance: schema validation and defaulting from the APIResourceSchema", () => {
  let w: World;
  let c: World["vw"];
  let n = 0;
  const make = (spec: Record<string, unknown>) => createWidget(c, widget(`v-${n++}`, spec));
  beforeAll(async () => {
    w = await world("cval", 1);
    c = w.ws(w.consumers[0]!);
  });
  afterAll(() => w.root.close());

  it("fills in defaults, nested ones only where the parent object is there", async () => {
    const o = (await make({ size: "small" })) as Widget;
    expect(o.spec).toEqual({ size: "small", replicas: 1, minReplicas: 0, maxReplicas: 5 });
    const withOptions = (await make({ size: "small", options: {} })) as Widget;
    expect(withOptions.spec.options).toEqual({ color: "blue" });
  });

  it("prunes unknown fields, except under x-kubernetes-preserve-unknown-fields", async () => {
    const o = (await make({
      size: "small",
      bogus: 1,
      options: { shade: "dark", nope: true },
      extra: { anything: { goes: 1 } },
    })) as Widget;
    expect(o.spec).not.toHaveProperty("bogus");
    expect(o.spec.options).toEqual({ shade: "dark", color: "blue" });
    expect(o.spec.extra).toEqual({ anything: { goes: 1 } });
  });

  it("names the field of a required value, a wrong type, an enum miss", async () => {
    expect(fields(await rejected(make({ replicas: 2 })))).toContain("spec.size");
    expect(fields(await rejected(make({ size: "small", replicas: "two" })))).toContain("spec.replicas");
    const e = await rejected(make({ size: "huge" }));
    expect(fields(e)).toContain("spec.size");
    expect(e.details?.causes?.[0]?.reason).toBe("FieldValueNotSupported");
  });

  it("checks bounds: maximum, minimum, maxLength, pattern, maxItems", async () => {
    expect(fields(await rejected(make({ size: "small", replicas: 11 })))).toContain("spec.replicas");
    expect(fields(await rejected(make({ size: "small", replicas: -1 })))).toContain("spec.replicas");
    expect(fields(await rejected(make({ size: "small", name: "waytoolongname" })))).toContain("spec.name");
    expect(fields(await rejected(make({ size: "small", name: "UPPER" })))).toContain("spec.name");
    expect(fields(await rejected(make({ size: "small", tags: ["a", "b", "c", "d"] })))).toContain(
      "spec.tags",
    );
  });

  it("runs CEL rules (x-kubernetes-validations) on the defaulted object, with the rule's message", async () => {
    const e = await rejected(make({ size: "small", minReplicas: 7 }));
    expect(fields(e)).toContain("spec");
    expect(e.message).toContain("minReplicas must not exceed maxReplicas");
    await make({ size: "small", minReplicas: 3 });
  });

  it("validates updates too", async () => {
    const o = (await make({ size: "small" })) as Widget;
    const e = await rejected(
      c.request({
        method: "PUT",
        path: `/apis/conformance.example.io/v1alpha1/namespaces/default/widgets/${o.metadata.name}`,
        body: { ...o, spec: { ...o.spec, replicas: 99 } },
      }),
    );
    expect(fields(e)).toContain("spec.replicas");
  });
});
