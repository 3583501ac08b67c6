import { type ConversionsInput, defineApi, defineResource, type VersionDefinition } from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { generate } from "../generate/generate.js";
import { CodegenError } from "../problems.js";

const alpha = { spec: z.object({ port: z.int32() }) };
const beta = { spec: z.object({ listen: z.object({ port: z.int32() }) }) };
const conversions: ConversionsInput = {
  "v1alpha1->v1beta1": { rules: { "spec.listen.port": "spec.port" } },
  "v1beta1->v1alpha1": { rules: { "spec.port": "spec.listen.port" } },
};

function api(versions: Record<string, VersionDefinition>, conv?: ConversionsInput) {
  return defineApi({
    name: "bins.example.io",
    resources: [
      defineResource({
        group: "bins.example.io",
        kind: "Bin",
        plural: "bins",
        scope: "Namespaced",
        versions,
        ...(conv && { conversions: conv as never }),
      }),
    ],
  });
}

function problems(run: () => unknown, full = false): string[] {
  try {
    run();
    return [];
  } catch (err) {
    if (!(err instanceof CodegenError)) throw err;
    return err.problems
      .filter((p) => p.severity === "error")
      .map((p) => `${p.where}: ${full ? p.message : p.message.split(":")[0]}`);
  }
}

describe("the lock file and versions", () => {
  const first = generate(api({ v1alpha1: alpha })).lock;
  const both = generate(api({ v1alpha1: { storage: true, ...alpha }, v1beta1: beta }, conversions));

  it("records the storage version and the conversions once there are several versions", () => {
    expect(first.resources["bins.bins.example.io"]).not.toHaveProperty("storageVersion");
    const locked = generate(api({ v1alpha1: { storage: true, ...alpha }, v1beta1: beta }, conversions), {
      lock: first,
    }).lock.resources["bins.bins.example.io"]!;
    expect(locked.storageVersion).toBe("v1alpha1");
    expect(locked.conversions).toEqual({
      "v1alpha1->v1beta1": { rules: [{ destination: "spec.listen.port", field: "spec.port" }] },
      "v1beta1->v1alpha1": { rules: [{ destination: "spec.port", field: "spec.listen.port" }] },
    });
    expect(locked.published).toHaveLength(2);
  });

  it("flags a new storage version of a published resource as breaking", () => {
    const moved = () =>
      generate(api({ v1alpha1: alpha, v1beta1: { storage: true, ...beta } }, conversions), {
        lock: both.lock,
      });
    expect(problems(moved)).toEqual(["Bin: breaking change"]);
    expect(() => moved()).toThrow(
      "Bin: breaking change: storage version changed from v1alpha1 to v1beta1: objects consumers already stored stay encoded as v1alpha1",
    );
    // Also when the lock predates storageVersion: one version is its storage version.
    expect(
      problems(() =>
        generate(api({ v1alpha1: alpha, v1beta1: { storage: true, ...beta } }, conversions), { lock: first }),
      ),
    ).toEqual(["Bin: breaking change"]);
    const allowed = generate(api({ v1alpha1: alpha, v1beta1: { storage: true, ...beta } }, conversions), {
      lock: both.lock,
      allowBreaking: true,
    });
    expect(allowed.warnings.filter((w) => w.path !== "conversions").map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^breaking change: storage version changed from v1alpha1 to v1beta1: .*\(allowed by --allow-breaking\)$/,
      ),
    ]);
  });

  it("flags a published conversion that is gone while both versions are served, and warns when one changes", () => {
    const dropped = () =>
      generate(api({ v1alpha1: { storage: true, ...alpha }, v1beta1: { ...beta, served: false } }), {
        lock: both.lock,
      });
    expect(problems(dropped)).toEqual([]);
    const changed = generate(
      api(
        { v1alpha1: { storage: true, ...alpha }, v1beta1: beta },
        {
          ...conversions,
          "v1alpha1->v1beta1": {
            rules: { "spec.listen.port": { from: "spec.port", transformation: "self" } },
          },
        },
      ),
      { lock: both.lock },
    );
    expect(
      changed.warnings
        .filter((w) => w.path !== "conversions")
        .map((w) => `${w.where}: ${w.message.split(":")[0]}`),
    ).toEqual(['Bin: conversions["v1alpha1->v1beta1"] changed']);
    // Served again without its conversions: generate names the lost fields and the lock the removal.
    const gone = problems(
      () => generate(api({ v1alpha1: { storage: true, ...alpha }, v1beta1: beta }), { lock: both.lock }),
      true,
    );
    expect(gone).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'Bin: breaking change: conversions["v1alpha1->v1beta1"] was published and is gone',
        ),
        expect.stringContaining(
          'Bin: breaking change: conversions["v1beta1->v1alpha1"] was published and is gone',
        ),
      ]),
    );
  });
});
