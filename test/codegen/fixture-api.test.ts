import { generate } from "@kcp-mesh/codegen";
import { KubeApiError, KubeClient, type KubeObject, validateObject } from "@kcp-mesh/sdk";
import {
  apply,
  bindExport,
  createServiceAccountIdentity,
  createWorkspace,
  waitForEndpointSliceUrls,
} from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import api, { Gadget, GadgetClass } from "../../packages/codegen/testdata/fixture-api.js";
import { adminClient, uniqueSuffix } from "../support/kcp.js";

// The broad fixture API, generated in-process, applied to a real kcp and bound from a consumer:
// objects valid per the zod schemas are stored, invalid ones are rejected by kcp with the field named.
const GADGETS = "/apis/gadgets.fixture.example.io/v1beta1/namespaces/default/gadgets";
const CLASSES = "/apis/gadgets.fixture.example.io/v1/gadgetclasses";

function gadget(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "gadgets.fixture.example.io/v1beta1", kind: "Gadget", metadata: { name }, spec };
}

const validSpec = { replicas: 2, name: "alpha" };

/**
 * Invalid specs: what is wrong, the field kcp must name, and a word its message must contain.
 * `celOnly` marks rules only kcp evaluates; validateObject runs the CEL rules of zod 4 schemas too.
 */
interface InvalidCase {
  why: string;
  spec: Record<string, unknown>;
  field: string;
  says: RegExp;
  celOnly?: true;
  /** Where zod reports it, when that differs from kcp's field (CEL rules report at the object). */
  zodField?: string;
}

const invalid: InvalidCase[] = [
  {
    why: "replicas below minimum",
    spec: { ...validSpec, replicas: -1 },
    field: "spec.replicas",
    says: /greater than or equal to 0/,
  },
  { why: "replicas missing", spec: { name: "alpha" }, field: "spec.replicas", says: /Required/ },
  {
    why: "size not in the enum",
    spec: { ...validSpec, size: "huge" },
    field: "spec.size",
    says: /Unsupported value/,
  },
  {
    why: "name against the pattern",
    spec: { ...validSpec, name: "Alpha!" },
    field: "spec.name",
    says: /should match/,
  },
  { why: "name too short", spec: { ...validSpec, name: "ab" }, field: "spec.name", says: /at least 3/ },
  {
    why: "code against the case-insensitive pattern",
    spec: { ...validSpec, code: "xx-12" },
    field: "spec.code",
    says: /should match/,
  },
  {
    why: "email format",
    spec: { ...validSpec, contact: { email: "not-an-email" } },
    field: "spec.contact.email",
    says: /email/,
  },
  {
    why: "uuid format",
    spec: { ...validSpec, contact: { email: "a@example.io", id: "nope" } },
    field: "spec.contact.id",
    says: /uuid|should match/,
  },
  {
    why: "date-time format",
    spec: { ...validSpec, notBefore: "yesterday" },
    field: "spec.notBefore",
    says: /date-time|should match/,
  },
  {
    why: "ratio at the exclusive bound",
    spec: { ...validSpec, ratio: 1 },
    field: "spec.ratio",
    says: /less than 1/,
  },
  {
    why: "literal union",
    spec: { ...validSpec, mode: "slow" },
    field: "spec.mode",
    says: /Unsupported value/,
  },
  {
    why: "Go duration",
    spec: { ...validSpec, timeout: "5 minutes" },
    field: "spec.timeout",
    says: /duration|should match/,
  },
  {
    why: "int-or-string given a boolean",
    spec: { ...validSpec, maxUnavailable: true },
    field: "spec.maxUnavailable",
    says: /integer|string/,
  },
  {
    why: "set with a duplicate",
    spec: { ...validSpec, tags: ["a", "a"] },
    field: "spec.tags[1]",
    says: /Duplicate/,
  },
  {
    why: "list map with a duplicate key",
    spec: {
      ...validSpec,
      ports: [
        { name: "http", port: 80 },
        { name: "http", port: 81 },
      ],
    },
    field: "spec.ports[1]",
    says: /Duplicate/,
  },
  {
    why: "port out of range",
    spec: { ...validSpec, ports: [{ name: "http", port: 70000 }] },
    field: "spec.ports[0].port",
    says: /less than or equal to 65535/,
  },
  {
    why: "CEL rule",
    spec: { ...validSpec, range: { min: 5, max: 1 } },
    field: "spec.range",
    says: /min must not exceed max/,
  },
  {
    why: "discriminated union variant without its field",
    spec: { ...validSpec, source: { type: "git" } },
    field: "spec.source",
    says: /url is required when type is git/,
    zodField: "spec.source.url",
  },
  {
    why: "discriminator not a variant",
    spec: { ...validSpec, source: { type: "svn", url: "x" } },
    field: "spec.source.type",
    says: /Unsupported value/,
  },
  {
    why: "nested default-bearing field out of range",
    spec: { ...validSpec, tuning: { level: 9 } },
    field: "spec.tuning.level",
    says: /less than or equal to 5/,
  },
  {
    why: "strict object missing its field",
    spec: { ...validSpec, strict: {} },
    field: "spec.strict.flag",
    says: /Required/,
  },
  {
    why: "embedded resource without kind",
    spec: { ...validSpec, template: { apiVersion: "v1" } },
    field: "spec.template.kind",
    says: /Required|kind/,
  },
];

describe("generated fixture API on real kcp", () => {
  const suffix = uniqueSuffix();
  const root = adminClient();
  const base = `root:codegen-${suffix}`;
  const result = generate(api, { source: "fixture-api.ts" });
  let providerPath: string;
  let consumer: KubeClient;

  beforeAll(async () => {
    const provider = await createWorkspace(root, `${base}:provider`);
    providerPath = provider.path;
    await apply(root.forWorkspace(providerPath), result.objects as KubeObject[]);
    const c = await createWorkspace(root, `${base}:consumer`);
    consumer = root.forWorkspace(c.path);
    await bindExport(
      consumer,
      { path: providerPath, name: api.name },
      {
        acceptClaims: api.permissionClaims.map((claim) => ({ ...claim, verbs: [...claim.verbs] })),
      },
    );
  });

  afterAll(() => root.close());

  it("stores every generated APIResourceSchema unchanged (kcp dropped no keyword)", async () => {
    const provider = root.forWorkspace(providerPath);
    for (const obj of result.objects.filter((o) => o.kind === "APIResourceSchema")) {
      const name = (obj.metadata as { name: string }).name;
      const stored = await provider.request<{ spec: { versions: { schema: unknown }[] } }>({
        path: `/apis/apis.kcp.io/v1alpha1/apiresourceschemas/${name}`,
      });
      const sent = obj.spec as { versions: { schema: unknown }[] };
      expect(stored.spec.versions.map((v) => v.schema)).toEqual(sent.versions.map((v) => v.schema));
      // kcp adds defaults of its own (nameValidation); everything we sent is there as sent.
      expect(stored.spec).toMatchObject(sent);
    }
  });

  it("accepts an object that is valid per the zod schema and applies the same defaults", async () => {
    const obj = gadget("minimal", validSpec);
    expect(validateObject(Gadget, obj).ok).toBe(true);
    const created = await consumer.request<KubeObject>({ method: "POST", path: GADGETS, body: obj });
    const zod = validateObject(Gadget, obj);
    if (!zod.ok) throw new Error(JSON.stringify(zod.issues));
    const spec = created.spec as Record<string, unknown>;
    const zodSpec = zod.value.spec as Record<string, unknown>;
    for (const key of ["size", "mode", "enabled", "timeout"]) expect(spec[key]).toEqual(zodSpec[key]);
    // kcp also fills defaults below optional parents (default: {}), and the result is still valid zod.
    expect(spec.tuning).toEqual({ level: 3, profile: { name: "standard" } });
    expect(validateObject(Gadget, created).ok).toBe(true);
  });

  it("accepts an object using every construct", async () => {
    const obj = gadget("everything", {
      ...validSpec,
      size: "large",
      ratio: 0.5,
      code: "GD-ff01",
      contact: { email: "team@example.io", id: "7f4df8a0-1e62-4a8f-9a3c-2c1a5b0e6d11" },
      notBefore: "2026-01-02T03:04:05Z",
      note: null,
      mode: "fast",
      enabled: false,
      timeout: "1h30m",
      maxUnavailable: "25%",
      labels: { team: "a" },
      selector: { app: "x" },
      tags: ["a", "b"],
      ports: [{ name: "http", port: 80 }],
      range: { min: 1, max: 2 },
      tuning: { level: 5, profile: { name: "fast" } },
      source: { type: "git", url: "https://example.io/repo.git" },
      values: { free: { form: [1, "two"] } },
      template: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } },
      extra: { owner: "me", anything: { kept: true } },
      strict: { flag: true },
      immutableId: "id-1",
    });
    const zod = validateObject(Gadget, obj);
    expect(zod.ok ? [] : zod.issues).toEqual([]);
    const created = await consumer.request<KubeObject>({ method: "POST", path: GADGETS, body: obj });
    const spec = created.spec as Record<string, unknown>;
    expect(spec.values).toEqual({ free: { form: [1, "two"] } });
    expect(spec.extra).toEqual({ owner: "me", anything: { kept: true } });
    expect(spec.template).toMatchObject({ kind: "ConfigMap", data: { a: "b" } });
    expect(spec.source).toEqual({ type: "git", url: "https://example.io/repo.git" });
    expect(spec.note).toBeNull();
  });

  it.each(invalid)("rejects $why, naming $field", async ({ spec, field, says, celOnly, zodField }) => {
    const obj = gadget(`bad-${uniqueSuffix()}`, spec);
    const zod = validateObject(Gadget, obj);
    // zod agrees, except on CEL rules, which only kcp evaluates.
    expect(zod.ok).toBe(celOnly === true);
    if (!zod.ok) expect(zod.issues.map((i) => i.path)).toContain(zodField ?? field);
    const err = await consumer.request({ method: "POST", path: GADGETS, body: obj }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    const apiErr = err as KubeApiError;
    expect(apiErr.status).toBe(422);
    const causes = apiErr.details?.causes ?? [];
    const cause = causes.find((c) => c.field === field);
    expect(cause, `${apiErr.message}\ncauses: ${JSON.stringify(causes)}`).toBeDefined();
    expect(`${cause?.message}`).toMatch(says);
  });

  it("enforces a CEL transition rule on update", async () => {
    const created = await consumer.request<KubeObject>({
      method: "POST",
      path: GADGETS,
      body: gadget("immutable", { ...validSpec, immutableId: "one" }),
    });
    const err = await consumer
      .request({
        method: "PUT",
        path: `${GADGETS}/immutable`,
        body: { ...created, spec: { ...(created.spec as object), immutableId: "two" } },
      })
      .catch((e: unknown) => e);
    expect((err as KubeApiError).status).toBe(422);
    expect((err as KubeApiError).message).toContain("immutableId cannot change");
  });

  it("serves the deprecated v1alpha1 alongside the v1beta1 storage version", async () => {
    const created = await consumer.request<KubeObject>({
      method: "POST",
      path: "/apis/gadgets.fixture.example.io/v1alpha1/namespaces/default/gadgets",
      body: {
        apiVersion: "gadgets.fixture.example.io/v1alpha1",
        kind: "Gadget",
        metadata: { name: "old" },
        spec: { replicas: 1, name: "old" },
      },
    });
    expect(created.spec).toMatchObject({ size: "small", replicas: 1, name: "old", mode: "safe" });
  });

  it("serves the cluster-scoped zod/v3 resource with its defaults and CEL rule", async () => {
    const obj = {
      apiVersion: "gadgets.fixture.example.io/v1",
      kind: "GadgetClass",
      metadata: { name: "std" },
      spec: { maxGadgets: 10 },
    };
    expect(validateObject(GadgetClass, obj).ok).toBe(true);
    const created = await consumer.request<KubeObject>({ method: "POST", path: CLASSES, body: obj });
    expect(created.spec).toEqual({ tier: "bronze", maxGadgets: 10 });
    const bad = { ...obj, metadata: { name: "bad" }, spec: { maxGadgets: 10, limits: { soft: 5, hard: 1 } } };
    // A CEL rule: zod does not evaluate it, kcp does.
    expect(validateObject(GadgetClass, bad).ok).toBe(true);
    const err = await consumer.request({ method: "POST", path: CLASSES, body: bad }).catch((e: unknown) => e);
    expect((err as KubeApiError).status).toBe(422);
    expect((err as KubeApiError).message).toContain("soft must not exceed hard");
  });

  it("gives the generated provider role exactly what the virtual workspace needs", async () => {
    const provider = root.forWorkspace(providerPath);
    const rbac = result.objects.filter((o) => o.kind === "ClusterRole") as KubeObject[];
    const identity = await createServiceAccountIdentity(provider, {
      name: "gadgets-provider",
      rbac,
      clusterRoles: [`${api.name}:provider`],
    });
    const asProvider = KubeClient.fromKubeConfig({ yaml: identity.kubeconfig });
    try {
      const [url] = (await waitForEndpointSliceUrls(asProvider, api.name)) as [string];
      const list = await asProvider.withBaseUrl(url).request<{ items: KubeObject[] }>({
        path: "/clusters/*/apis/gadgets.fixture.example.io/v1beta1/gadgets",
      });
      expect(list.items.map((o) => o.metadata.name)).toContain("minimal");
      const secrets = await asProvider
        .withBaseUrl(url)
        .request<{ items: unknown[] }>({ path: "/clusters/*/api/v1/secrets" });
      expect(Array.isArray(secrets.items)).toBe(true);
    } finally {
      asProvider.close();
    }
  });

  it("accepts the v1alpha1 APIExport form for older kcp", async () => {
    const old = generate(api, { apiExportVersion: "v1alpha1" });
    const ws = await createWorkspace(root, `${base}:provider-v1alpha1`);
    const stored = await apply(root.forWorkspace(ws.path), old.objects as KubeObject[]);
    const exp = stored.find((o) => o.kind === "APIExport")!;
    expect((exp.spec as { latestResourceSchemas: string[] }).latestResourceSchemas).toEqual(
      old.objects
        .filter((o) => o.kind === "APIResourceSchema")
        .map((o) => (o.metadata as { name: string }).name),
    );
  });
});
