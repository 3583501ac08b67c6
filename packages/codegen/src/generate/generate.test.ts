import { readdirSync, readFileSync } from "node:fs";
import { defineApi, defineResource } from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import fixtureApi from "../../testdata/fixture-api.js";
import widgetsApi, { Widget } from "../../testdata/widgets-api.js";
import { runCli } from "../cli.js";
import { renderLock } from "../lock/lock-file.js";
import { generate } from "./generate.js";

const testdata = (p: string) => new URL(`../../testdata/${p}`, import.meta.url);

function committed(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(testdata(dir)))
    files[name] = readFileSync(testdata(`${dir}/${name}`), "utf8");
  return files;
}

// Regenerate the golden files with:
//   npx mesh-codegen generate packages/codegen/testdata/<api>-api.ts --out packages/codegen/testdata/<api>
describe("golden output", () => {
  it.each([
    ["widgets", widgetsApi],
    ["fixture", fixtureApi],
  ] as const)("matches testdata/%s byte for byte", (dir, api) => {
    const result = generate(api, { source: `../${dir}-api.ts` });
    expect({ ...result.files, "mesh-codegen.lock": renderLock(result.lock) }).toEqual(committed(dir));
  });

  it("is what `mesh-codegen check` accepts", async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const dir = testdata("widgets").pathname;
    expect(await runCli(["check", testdata("widgets-api.ts").pathname, "--out", dir], io)).toBe(0);
    expect(out.join("")).toContain("up to date");
  });
});

describe("generate", () => {
  it("gives byte-identical output on every run", () => {
    const a = generate(fixtureApi);
    const b = generate(fixtureApi);
    expect(a.files).toEqual(b.files);
    expect(renderLock(a.lock)).toBe(renderLock(b.lock));
  });

  it("names schemas by content: any change gives a new name, the same content the same name", () => {
    const make = (max: number) =>
      defineApi({
        name: "widgets.example.io",
        resources: [
          defineResource({
            group: "widgets.example.io",
            kind: "Widget",
            plural: "widgets",
            scope: "Namespaced",
            versions: { v1alpha1: { spec: z.object({ replicas: z.int32().max(max) }) } },
          }),
        ],
      });
    const name = (max: number) => (generate(make(max)).objects[0]!.metadata as { name: string }).name;
    expect(name(5)).toMatch(/^v1alpha1-[0-9a-f]{10}\.widgets\.widgets\.example\.io$/);
    expect(name(5)).toBe(name(5));
    expect(name(6)).not.toBe(name(5));
  });

  it("writes the export's resources, claims, and the roles the provider and consumers need", () => {
    const { objects } = generate(widgetsApi);
    expect(objects.map((o) => `${o.kind} ${(o.metadata as { name: string }).name}`)).toEqual([
      expect.stringMatching(/^APIResourceSchema v1alpha1-[0-9a-f]{10}\.widgets\.widgets\.example\.io$/),
      "APIExport widgets.example.io",
      "ClusterRole widgets.example.io:provider",
      "ClusterRole widgets.example.io:bind",
      "ProviderMetadata widgets.example.io",
    ]);
    const exp = objects[1]!.spec as { resources: unknown[]; permissionClaims: unknown[] };
    expect(exp.resources).toEqual([
      {
        group: "widgets.example.io",
        name: "widgets",
        schema: (objects[0]!.metadata as { name: string }).name,
        storage: { crd: {} },
      },
    ]);
    expect(exp.permissionClaims).toEqual([
      { group: "", resource: "secrets", verbs: ["get", "create", "update"] },
    ]);
    expect((objects[3]!.rules as unknown[])[0]).toEqual({
      apiGroups: ["apis.kcp.io"],
      resources: ["apiexports"],
      resourceNames: ["widgets.example.io"],
      verbs: ["bind"],
    });
  });

  it("writes the v1alpha1 APIExport for older kcp", () => {
    const exp = generate(widgetsApi, { apiExportVersion: "v1alpha1" }).objects[1]!;
    expect(exp.apiVersion).toBe("apis.kcp.io/v1alpha1");
    expect(exp.spec).toEqual({
      latestResourceSchemas: [expect.stringMatching(/\.widgets\.widgets\.example\.io$/)],
      permissionClaims: [{ group: "", resource: "secrets", all: true }],
    });
  });

  it("writes no ProviderMetadata without provider info", () => {
    const api = defineApi({ name: "widgets.example.io", resources: [Widget] });
    expect(Object.keys(generate(api).files)).not.toContain("providermetadata.yaml");
  });

  it("requires spec only when {} is not a valid spec, and defaults it to {} otherwise", () => {
    const root = (spec: z.ZodType) =>
      generate(
        defineApi({
          name: "x.example.io",
          resources: [
            defineResource({
              group: "x.example.io",
              kind: "X",
              plural: "xs",
              scope: "Cluster",
              versions: { v1: { spec } },
            }),
          ],
        }),
      ).lock.resources["xs.x.example.io"]!.versions.v1!;
    expect(root(z.object({ a: z.string() })).required).toEqual(["spec"]);
    const defaulted = root(z.object({ a: z.string().default("x") }));
    expect(defaulted.required).toBeUndefined();
    expect(defaulted.properties!.spec!.default).toEqual({});
  });
});
