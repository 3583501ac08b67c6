import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { collectionPath, defaultSamples, readDeploy } from "./project.js";

const deploy = (example: string) =>
  fileURLToPath(new URL(`../../../examples/${example}/deploy`, import.meta.url));

describe("what mesh-dev reads from deploy/", () => {
  it("finds the export, its resources with their schema names, and the claims", () => {
    const d = readDeploy(deploy("database"));
    expect(d.exportName).toBe("databases.examples.kcp-mesh.io");
    expect(d.claims).toEqual([
      {
        group: "",
        resource: "secrets",
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
      },
      { group: "", resource: "events", verbs: ["create"] },
    ]);
    expect(d.resources).toEqual([
      {
        group: "databases.examples.kcp-mesh.io",
        plural: "databases",
        kind: "Database",
        namespaced: true,
        version: "v1alpha1",
        schema: expect.stringMatching(/^v1alpha1-[0-9a-f]+\.databases\.databases\.examples\.kcp-mesh\.io$/),
      },
    ]);
    expect(collectionPath(d.resources[0]!)).toBe("/apis/databases.examples.kcp-mesh.io/v1alpha1/databases");
    expect(defaultSamples(d)).toEqual([
      {
        apiVersion: "databases.examples.kcp-mesh.io/v1alpha1",
        kind: "Database",
        metadata: { name: "sample", namespace: "default" },
        spec: {},
      },
    ]);
  });

  it("says what is missing", () => {
    expect(() => readDeploy("/nonexistent/deploy")).toThrow(
      "/nonexistent/deploy does not exist: run mesh-codegen generate first",
    );
  });
});
