import { describe, expect, it } from "vitest";
import type { KubeObject } from "../util/objects.js";
import { specOrMetadataChanged } from "./provider.js";

const base: KubeObject = {
  metadata: { name: "a", generation: 1, resourceVersion: "10", labels: { x: "1" }, finalizers: ["f"] },
  spec: { size: 1 },
  status: { phase: "Pending" },
};
const with_ = (patch: Partial<KubeObject> & { metadata?: Partial<KubeObject["metadata"]> }): KubeObject => ({
  ...base,
  ...patch,
  metadata: { ...base.metadata, ...patch.metadata },
});

describe("specOrMetadataChanged", () => {
  it("ignores status and resourceVersion changes (the runtime's own writes)", () => {
    expect(
      specOrMetadataChanged(base, with_({ status: { phase: "Ready" }, metadata: { resourceVersion: "11" } })),
    ).toBe(false);
  });

  it("sees generation, labels, annotations, finalizers, owners and deletion", () => {
    expect(specOrMetadataChanged(base, with_({ metadata: { generation: 2 } }))).toBe(true);
    expect(specOrMetadataChanged(base, with_({ metadata: { labels: { x: "2" } } }))).toBe(true);
    expect(specOrMetadataChanged(base, with_({ metadata: { annotations: { a: "b" } } }))).toBe(true);
    expect(specOrMetadataChanged(base, with_({ metadata: { finalizers: [] } }))).toBe(true);
    expect(
      specOrMetadataChanged(base, with_({ metadata: { deletionTimestamp: "2026-01-01T00:00:00Z" } })),
    ).toBe(true);
    expect(
      specOrMetadataChanged(
        base,
        with_({ metadata: { ownerReferences: [{ apiVersion: "v1", kind: "X", name: "o", uid: "u" }] } }),
      ),
    ).toBe(true);
  });

  it("compares the spec itself when the server sets no generation", () => {
    const noGen = with_({ metadata: { generation: undefined } });
    expect(specOrMetadataChanged(noGen, { ...noGen, status: { phase: "Ready" } })).toBe(false);
    expect(specOrMetadataChanged(noGen, { ...noGen, spec: { size: 2 } })).toBe(true);
  });
});
