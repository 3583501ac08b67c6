import { describe, expect, it } from "vitest";
import { importCrds } from "./import-crds.js";
import { parseYamlDocuments } from "./output/yaml.js";
import { type CodegenError, formatProblem } from "./problems.js";

const crd = (name: string) => new URL(`../testdata/crds/${name}`, import.meta.url).pathname;

describe("mesh-codegen import", () => {
  it("turns a CRD into an APIResourceSchema, an APIExport and the roles, as apigen does", () => {
    const r = importCrds([crd("gizmos-crd.yaml")]);
    expect(Object.keys(r.files)).toEqual([
      "apiresourceschema-gizmos.gizmos.example.io.yaml",
      "apiexport.yaml",
      "rbac-provider.yaml",
      "rbac-bind.yaml",
    ]);
    const [ars, exp] = r.objects as { metadata: { name: string }; spec: Record<string, unknown> }[];
    expect(ars!.metadata.name).toMatch(/^v1-[0-9a-f]{10}\.gizmos\.gizmos\.example\.io$/);
    const version = (ars!.spec.versions as Record<string, unknown>[])[0]!;
    expect(version).toMatchObject({ name: "v1", served: true, storage: true, subresources: { status: {} } });
    expect(
      (version.schema as { properties: { spec: { properties: Record<string, unknown> } } }).properties.spec
        .properties.on,
    ).toEqual({ type: "boolean", default: false });
    expect(exp!.spec).toEqual({
      resources: [
        { group: "gizmos.example.io", name: "gizmos", schema: ars!.metadata.name, storage: { crd: {} } },
      ],
    });
    // Written so that kubectl reads it back as it was: "on", "off" and "yes" stay strings.
    const text = r.files["apiresourceschema-gizmos.gizmos.example.io.yaml"]!;
    expect(parseYamlDocuments(text, "x")).toEqual([JSON.parse(JSON.stringify(ars))]);
    expect(r.warnings.map(formatProblem)).toEqual([
      expect.stringMatching(
        /gizmos-crd\.yaml: CustomResourceDefinition gizmos\.gizmos\.example\.io spec\.versions\[0\]\.selectableFields: kcp's APIResourceSchema \(v0\.32\) has no selectableFields/,
      ),
    ]);
  });

  it("lints the CRD as lint does: defaults and CEL kcp would refuse stop the import", () => {
    let error: CodegenError | undefined;
    try {
      importCrds([crd("bad-crd.yaml")]);
    } catch (err) {
      error = err as CodegenError;
    }
    const lines = error!.problems.map(formatProblem).join("\n");
    expect(lines).toMatch(
      /bad-crd\.yaml: CustomResourceDefinition widgets\.bad\.example\.io v1 spec\.replicas: default 3 is not valid: it must be greater than or equal to 10/,
    );
    expect(lines).toMatch(/spec\.mode: rule "self\.size\(\) <": the rule does not compile/);
  });
});
