import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "@kcp-mesh/codegen";
import { KubeApiError, type KubeClient } from "@kcp-mesh/sdk";
import { createWorkspace } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import pointApi from "../../packages/codegen/testdata/point-api.js";
import { adminClient, kcpEnv, uniqueSuffix } from "../support/kcp.js";

// The generator and kcp agree: what `generate` writes reaches kcp as generated (through kubectl's
// YAML 1.1 reader), every class of schema the generator rejects is refused by kcp itself when the
// APIResourceSchema is created, and every construct the generator now accepts is accepted by kcp.

const root = adminClient();
const suffix = uniqueSuffix();
let ws: string;
let client: KubeClient;
let tmp: string;

beforeAll(async () => {
  ws = (await createWorkspace(root, `root:codegen-agree-${suffix}`)).path;
  client = root.forWorkspace(ws);
  tmp = mkdtempSync(join(tmpdir(), "kcp-agreement-"));
});

afterAll(() => {
  root.close();
  rmSync(tmp, { recursive: true, force: true });
});

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;

/** `kubectl <args>` against the test workspace, as a user would run it. */
function kubectl(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(
    "kubectl",
    ["--kubeconfig", kcpEnv().kubeconfigPath, "--server", `${kcpEnv().baseUrl}/clusters/${ws}`, ...args],
    { encoding: "utf8" },
  );
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const schemaPath = (name: string) => `/apis/apis.kcp.io/v1alpha1/apiresourceschemas/${name}`;

describe("the written YAML, applied with kubectl (a YAML 1.1 reader)", () => {
  it.skipIf(!hasKubectl)(
    "reaches kcp exactly as generated: keys y, n, on and enum yes|no|off stay strings",
    async () => {
      const result = generate(pointApi, { source: "point-api.ts" });
      const dir = join(tmp, "point");
      execFileSync("mkdir", ["-p", dir]);
      for (const [file, text] of Object.entries(result.files)) writeFileSync(join(dir, file), text);
      const applied = kubectl(["apply", "--server-side", "-f", dir]);
      expect(applied.stderr).toBe("");
      expect(applied.status).toBe(0);
      const generated = result.objects.find((o) => o.kind === "APIResourceSchema")!;
      const name = (generated.metadata as { name: string }).name;
      const stored = await client.request<{ spec: { versions: { schema: unknown }[] } }>({
        path: schemaPath(name),
      });
      const sent = generated.spec as { versions: { schema: unknown }[] };
      expect(stored.spec.versions[0]!.schema).toEqual(sent.versions[0]!.schema);
    },
  );

  it.skipIf(!hasKubectl)(
    "is misread when written bare, as the generator wrote it before (the bug it fixes)",
    () => {
      const result = generate(pointApi);
      const generated = result.objects.find((o) => o.kind === "APIResourceSchema")!;
      const bare = stringify({ ...generated, metadata: { name: `v1-bare.points.points.example.io` } });
      const file = join(tmp, "bare.yaml");
      writeFileSync(file, bare);
      const r = kubectl(["create", "--dry-run=server", "-o", "json", "-f", file]);
      // kubectl sent `true` for the printer column named `on` (and for the field `on`, and false for the
      // enum values no and off), and kcp refused the object.
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("additionalPrinterColumns[0].name in body must be of type string");
    },
  );
});

/** Creates a raw APIResourceSchema; returns kcp's error (or undefined when kcp accepted it). */
async function createSchema(
  name: string,
  group: string,
  schema: unknown,
  extra: Record<string, unknown> = {},
): Promise<KubeApiError | undefined> {
  const plural = name;
  const body = {
    apiVersion: "apis.kcp.io/v1alpha1",
    kind: "APIResourceSchema",
    metadata: { name: `v1-${uniqueSuffix()}.${plural}.${group}` },
    spec: {
      group,
      names: { kind: "Thing", listKind: "ThingList", plural, singular: "thing" },
      scope: "Namespaced",
      versions: [{ name: "v1", served: true, storage: true, schema, ...extra }],
    },
  };
  try {
    await client.request({ method: "POST", path: "/apis/apis.kcp.io/v1alpha1/apiresourceschemas", body });
    return undefined;
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
}
