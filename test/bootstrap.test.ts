import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { bootstrapProvider, parseYamlObjects, waitFor } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { adminClient, uniqueSuffix } from "./support/kcp.js";

const EXPORT = "httpbin.examples.kcp-mesh.io";
const SLICE = `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${EXPORT}`;
const DEPLOY = resolve(import.meta.dirname, "../examples/httpbin/deploy");

/** Collections of a provider workspace whose objects bootstrapProvider creates (or kcp creates for it). */
const COLLECTIONS = [
  "/apis/apis.kcp.io/v1alpha1/apiresourceschemas",
  "/apis/apis.kcp.io/v1alpha1/apiconversions",
  "/apis/apis.kcp.io/v1alpha2/apiexports",
  "/apis/apis.kcp.io/v1alpha1/apiexportendpointslices",
  "/apis/rbac.authorization.k8s.io/v1/clusterroles",
  "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
  "/api/v1/namespaces",
  "/api/v1/serviceaccounts",
  "/api/v1/secrets",
  "/api/v1/configmaps",
];

/**
 * `<collection> <namespace>/<name>` -> resourceVersion of every object of the provider workspace
 * in {@link COLLECTIONS}, and of each Workspace object along the path in its parent.
 */
async function snapshot(root: KubeClient, path: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ws = root.forWorkspace(path);
  for (const collection of COLLECTIONS) {
    const list = await ws.get<{ items: KubeObject[] }>(collection);
    for (const o of list?.items ?? []) {
      out.set(`${collection} ${o.metadata.namespace ?? ""}/${o.metadata.name}`, o.metadata.resourceVersion!);
    }
  }
  const parts = path.split(":");
  for (let i = 1; i < parts.length; i++) {
    const parent = root.forWorkspace(parts.slice(0, i).join(":"));
    const w = await parent.get<KubeObject>(`/apis/tenancy.kcp.io/v1alpha1/workspaces/${parts[i]}`);
    out.set(`workspace ${parts.slice(0, i + 1).join(":")}`, w!.metadata.resourceVersion!);
  }
  return out;
}

/** A snapshot once kcp's own controllers are done with the workspace (two equal reads 2 s apart). */
async function settledSnapshot(root: KubeClient, path: string): Promise<Map<string, string>> {
  let last = await snapshot(root, path);
  return waitFor(
    `the objects of ${path} to settle`,
    async () => {
      await new Promise((r) => setTimeout(r, 2_000));
      const next = await snapshot(root, path);
      const settled = mapsEqual(last, next);
      last = next;
      return settled ? next : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

function mapsEqual(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** The entries of `after` that differ from `before` (new, changed or gone). */
function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

describe("bootstrapProvider run twice", () => {
  const root = adminClient();
  const path = `root:bootstrap-${uniqueSuffix()}:providers:bootstrap-twice`;
  const identityName = "httpbin-provider";
  const tmp = mkdtempSync(join(tmpdir(), "bootstrap-test-"));
  const clients: KubeClient[] = [];

  const identityClient = (kubeconfig: string) => {
    const c = KubeClient.fromKubeConfig({ yaml: kubeconfig });
    clients.push(c);
    return c;
  };
  const readSlice = (c: KubeClient) => c.request<KubeObject>({ path: SLICE });

  let first: Awaited<ReturnType<typeof bootstrapProvider>>;

  beforeAll(async () => {
    first = await bootstrapProvider(root, { workspace: path, deployDir: DEPLOY, identityName });
    // kcp makes the export's APIExportEndpointSlice (its URLs appear once a workspace binds it).
    await waitFor("the APIExportEndpointSlice", () => root.forWorkspace(path).get(SLICE));
  });

  afterAll(() => {
    for (const c of clients) c.close();
    root.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("changes no resourceVersion on a second run with the same inputs, and returns a working identity", async () => {
    const before = await settledSnapshot(root, path);
    // What the run is about is in the snapshot.
    const keys = [...before.keys()];
    for (const o of first.applied) {
      expect(keys.some((k) => k.endsWith(` /${o.metadata.name}`))).toBe(true);
    }
    expect(keys).toContain(`/api/v1/serviceaccounts default/${identityName}`);
    expect(keys.filter((k) => k.includes("clusterrolebindings ") && k.includes(identityName))).toHaveLength(
      1,
    );

    const second = await bootstrapProvider(root, { workspace: path, deployDir: DEPLOY, identityName });
    const after = await snapshot(root, path);
    expect(changed(before, after)).toEqual([]);
    // What it returns is the live objects, untouched.
    for (const o of second.applied) {
      const key = keys.find(
        (k) => k.endsWith(` /${o.metadata.name}`) && k.includes(`${o.kind!.toLowerCase()}s `),
      )!;
      expect(before.get(key), key).toBe(o.metadata.resourceVersion);
    }
    expect(second.workspace).toEqual(first.workspace);

    // The new token works, and so does the old one.
    const slice = await readSlice(identityClient(second.identity.kubeconfig));
    expect(slice.metadata.name).toBe(EXPORT);
    await readSlice(identityClient(first.identity.kubeconfig));
    expect(second.identity.username).toBe(`system:serviceaccount:default:${identityName}`);
  });

  it("applies a changed input (a label added to RBAC, then removed again) and nothing else", async () => {
    const deploy = join(tmp, "deploy");
    cpSync(DEPLOY, deploy, { recursive: true });
    const rbacFile = join(deploy, "rbac-provider.yaml");
    const original = readFileSync(rbacFile, "utf8");
    const roleName = `${EXPORT}:provider`;
    const withLabel = parseYamlObjects(original).map((o) =>
      o.kind === "ClusterRole" && o.metadata.name === roleName
        ? { ...o, metadata: { ...o.metadata, labels: { "example.io/changed": "yes" } } }
        : o,
    );
    writeFileSync(rbacFile, withLabel.map((o) => stringify(o)).join("---\n"));
    const roleKey = `/apis/rbac.authorization.k8s.io/v1/clusterroles /${roleName}`;
    const readRole = () =>
      root.forWorkspace(path).get<KubeObject>(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${roleName}`);

    const before = await settledSnapshot(root, path);
    await bootstrapProvider(root, { workspace: path, deployDir: deploy, identityName });
    const labelled = await snapshot(root, path);
    expect(changed(before, labelled)).toEqual([roleKey]);
    expect((await readRole())?.metadata.labels).toEqual({ "example.io/changed": "yes" });

    // The same changed input again: nothing to do.
    await bootstrapProvider(root, { workspace: path, deployDir: deploy, identityName });
    expect(changed(labelled, await snapshot(root, path))).toEqual([]);

    // Back to the original: the label this bootstrap applied is removed again.
    writeFileSync(rbacFile, original);
    const back = await bootstrapProvider(root, { workspace: path, deployDir: deploy, identityName });
    const restored = await snapshot(root, path);
    expect(changed(labelled, restored)).toEqual([roleKey]);
    expect((await readRole())?.metadata.labels).toBeUndefined();
    await readSlice(identityClient(back.identity.kubeconfig));
  });
});
