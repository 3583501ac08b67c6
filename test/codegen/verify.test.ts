import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate, runCli } from "@kcp-mesh/codegen";
import { createWorkspace } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import pointApi from "../../packages/codegen/testdata/point-api.js";
import { adminClient, kcpEnv, uniqueSuffix } from "../support/kcp.js";

// `mesh-codegen verify --kubeconfig`: kcp itself judges the written files (server-side dry-run),
// read as kubectl reads them. CI runs it without --kubeconfig, on a throwaway kcp.
const root = adminClient();
let ws: string;
let dir: string;

beforeAll(async () => {
  ws = (await createWorkspace(root, `root:codegen-verify-${uniqueSuffix()}`)).path;
  dir = mkdtempSync(join(tmpdir(), "verify-"));
});
afterAll(() => {
  root.close();
  rmSync(dir, { recursive: true, force: true });
});

async function verify(...paths: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ["verify", ...paths, "--kubeconfig", kcpEnv().kubeconfigPath, "--workspace", ws],
    {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    },
  );
  return { code, out: out.join(""), err: err.join("") };
}

describe("mesh-codegen verify", () => {
  it("accepts what generate writes, and stores nothing", async () => {
    const good = join(dir, "good");
    const result = generate(pointApi);
    mkdirSync(good, { recursive: true });
    for (const [file, text] of Object.entries(result.files)) writeFileSync(join(good, file), text);
    const r = await verify(good);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("4 object(s) accepted by kcp, 0 refused, 0 skipped");
    const list = await root
      .forWorkspace(ws)
      .request<{ items: unknown[] }>({ path: "/apis/apis.kcp.io/v1alpha1/apiresourceschemas" });
    expect(list.items).toEqual([]);
  });

  it("accepts what import makes of a CRD", async () => {
    const out = join(dir, "imported");
    const crd = new URL("../../packages/codegen/testdata/crds/gizmos-crd.yaml", import.meta.url).pathname;
    const errors: string[] = [];
    const io = { out: () => {}, err: (t: string) => errors.push(t) };
    expect(await runCli(["import", crd, "--out", out], io)).toBe(0);
    expect(errors.join("")).toMatch(/selectableFields/);
    const r = await verify(out);
    expect(r.err).toBe("");
    expect(r.out).toContain("4 object(s) accepted by kcp, 0 refused, 0 skipped");
  });

  it("reads files as kubectl does: bare y and on are the same key (true) in YAML 1.1", async () => {
    const bare = join(dir, "bare.yaml");
    writeFileSync(bare, stringify(generate(pointApi).objects[0]));
    const r = await verify(bare);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bare\.yaml: \(file\): kcp refused it: .*invalid YAML: Map keys must be unique/);
  });

  it("prints kcp's own error for an object kcp refuses", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      `apiVersion: apis.kcp.io/v1alpha1
kind: APIResourceSchema
metadata:
  name: v1-x.things.verify.example.io
spec:
  group: verify.example.io
  names: { kind: Thing, listKind: ThingList, plural: things, singular: thing }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              replicas: { type: integer, minimum: 10, default: 3 }
`,
    );
    const r = await verify(bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /bad\.yaml: APIResourceSchema v1-x\.things\.verify\.example\.io: kcp refused it: .*properties\[replicas\]\.default: Invalid value: 3: .*greater than or equal to 10/,
    );
  });
});
