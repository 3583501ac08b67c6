import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CodegenError, formatProblem, generate, structuralSchema } from "@kcp-mesh/codegen";
import { KubeApiError, type KubeClient, type KubeObject, validateObject } from "@kcp-mesh/sdk";
import { cel, defineApi, defineResource, listMap } from "@kcp-mesh/sdk/api";
import { apply, bindExport, createWorkspace } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { z } from "zod";
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
function kubectl(args: string[], workspace = ws): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(
    "kubectl",
    [
      "--kubeconfig",
      kcpEnv().kubeconfigPath,
      "--server",
      `${kcpEnv().baseUrl}/clusters/${workspace}`,
      ...args,
    ],
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

/** A version schema with `spec` as given, as the generator would wrap it. */
function rootWith(spec: unknown): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec,
    },
  };
}

/** The generator's error lines for `spec: z.object({ f: field })`. */
function generatorErrors(field: z.ZodType): string[] {
  return structuralSchema(z.object({ f: field }), "spec", "Thing v1")
    .problems.filter((p) => p.severity === "error")
    .map(formatProblem);
}

// Each class the generator rejects that kcp's apiextensions validation decides: the raw schema
// kcp refuses (403 from APIResourceSchema admission, with the field path), and the zod behind it.
const refused: {
  why: string;
  zod?: z.ZodType;
  generator?: RegExp;
  schema: unknown;
  group?: string;
  kcp: RegExp;
}[] = [
  {
    why: "a default below its own minimum",
    zod: z.int32().min(10).default(3),
    generator: /default 3 is not valid: it must be greater than or equal to 10/,
    schema: rootWith({ type: "object", properties: { f: { type: "integer", minimum: 10, default: 3 } } }),
    kcp: /properties\[spec\]\.properties\[f\]\.default: Invalid value: 3: .*greater than or equal to 10/,
  },
  {
    why: "a default longer than its maxLength",
    zod: z.string().max(2).default("toolong"),
    generator: /may not be longer than 2/,
    schema: rootWith({
      type: "object",
      properties: { f: { type: "string", maxLength: 2, default: "toolong" } },
    }),
    kcp: /properties\[f\]\.default: Too long/,
  },
  {
    why: "a default outside its enum",
    zod: z.enum(["a", "b"]).default("c" as "a"),
    generator: /must be one of \["a","b"\]/,
    schema: rootWith({
      type: "object",
      properties: { f: { type: "string", enum: ["a", "b"], default: "c" } },
    }),
    kcp: /properties\[f\]\.default: Unsupported value: "c"/,
  },
  {
    why: "a default against its pattern",
    zod: z.string().regex(/^a/).default("b"),
    generator: /must match \^a/,
    schema: rootWith({ type: "object", properties: { f: { type: "string", pattern: "^a", default: "b" } } }),
    kcp: /properties\[f\]\.default: Invalid value: "b": .*should match '\^a'/,
  },
  {
    why: "a default with a field its schema would prune",
    zod: z.object({ a: z.string() }).default({ a: "x", b: 1 } as { a: string }),
    generator: /has the field b, which the schema does not declare/,
    schema: rootWith({
      type: "object",
      properties: { f: { type: "object", properties: { a: { type: "string" } }, default: { a: "x", b: 1 } } },
    }),
    kcp: /properties\[f\]\.default: Invalid value: .*must not have unknown fields/,
  },
  {
    why: "a default that fails its own CEL rule",
    zod: cel(z.object({ min: z.int32(), max: z.int32() }), "self.min <= self.max", {
      message: "min must not exceed max",
    }).default({ min: 5, max: 1 }),
    generator: /fails the CEL rule "self\.min <= self\.max"/,
    schema: rootWith({
      type: "object",
      properties: {
        f: {
          type: "object",
          properties: { min: { type: "integer" }, max: { type: "integer" } },
          required: ["min", "max"],
          default: { min: 5, max: 1 },
          "x-kubernetes-validations": [{ rule: "self.min <= self.max", message: "min must not exceed max" }],
        },
      },
    }),
    kcp: /properties\[f\]\.default: Invalid value: .*min must not exceed max/,
  },
  {
    why: "a list map keyed by an object",
    zod: listMap(z.array(z.object({ key: z.object({ a: z.string() }), v: z.int32() })), ["key"]),
    generator: /list map key key must be a scalar/,
    schema: rootWith({
      type: "object",
      properties: {
        f: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["key"],
          items: {
            type: "object",
            required: ["key"],
            properties: {
              key: { type: "object", properties: { a: { type: "string" } } },
              v: { type: "integer" },
            },
          },
        },
      },
    }),
    kcp: /properties\[key\]\.type: Invalid value: .*must be a scalar type if parent array's x-kubernetes-list-type is map/,
  },
  {
    why: "a nullable list map key",
    zod: listMap(z.array(z.object({ name: z.string().nullable() })), ["name"]),
    generator: /list map key name cannot be nullable/,
    schema: rootWith({
      type: "object",
      properties: {
        f: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: {
            type: "object",
            required: ["name"],
            properties: { name: { type: "string", nullable: true } },
          },
        },
      },
    }),
    kcp: /properties\[name\]\.nullable: Forbidden: this property is in x-kubernetes-list-map-keys, so it cannot be nullable/,
  },
  {
    why: "a CEL rule that does not parse",
    zod: cel(z.object({ min: z.int32() }), "self.min <="),
    generator: /the rule does not compile/,
    schema: rootWith({
      type: "object",
      properties: {
        f: {
          type: "object",
          properties: { min: { type: "integer" } },
          "x-kubernetes-validations": [{ rule: "self.min <=" }],
        },
      },
    }),
    kcp: /properties\[f\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: .*compilation failed/,
  },
  {
    why: "a CEL rule naming a field that does not exist",
    zod: cel(z.object({ min: z.int32() }), "self.min <= self.maximum"),
    generator: /No such key: maximum/,
    schema: rootWith({
      type: "object",
      properties: {
        f: {
          type: "object",
          properties: { min: { type: "integer" } },
          "x-kubernetes-validations": [{ rule: "self.min <= self.maximum" }],
        },
      },
    }),
    kcp: /x-kubernetes-validations\[0\]\.rule: Invalid value: .*undefined field 'maximum'/,
  },
  {
    why: "a CEL rule that is not a bool",
    zod: cel(z.object({ min: z.int32() }), "self.min"),
    generator: /must give a bool/,
    schema: rootWith({
      type: "object",
      properties: {
        f: {
          type: "object",
          properties: { min: { type: "integer" } },
          "x-kubernetes-validations": [{ rule: "self.min" }],
        },
      },
    }),
    kcp: /x-kubernetes-validations\[0\]\.rule: Invalid value: .*must evaluate to a bool/,
  },
  {
    why: "oldSelf on items of a plain list",
    zod: z.array(cel(z.string().max(8), "self == oldSelf")).max(4),
    generator: /uses oldSelf, but below spec\.f kcp cannot pair old and new values/,
    schema: rootWith({
      type: "object",
      properties: {
        f: {
          type: "array",
          maxItems: 4,
          items: { type: "string", maxLength: 8, "x-kubernetes-validations": [{ rule: "self == oldSelf" }] },
        },
      },
    }),
    kcp: /oldSelf cannot be used on the uncorrelatable portion of the schema/,
  },
  {
    why: "a CEL rule walking each unbounded string of an unbounded list (cost)",
    zod: z.array(cel(z.string(), "self.contains('a')")),
    generator: /estimated cost .* it runs up to 1,048,575 times per object/,
    schema: rootWith({
      type: "object",
      properties: {
        f: {
          type: "array",
          items: { type: "string", "x-kubernetes-validations": [{ rule: "self.contains('a')" }] },
        },
      },
    }),
    kcp: /x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget/,
  },
  {
    why: "a group without a dot",
    schema: rootWith({ type: "object" }),
    group: "widgets",
    kcp: /spec\.group: Invalid value: "widgets": should be a domain with at least one dot/,
  },
];

describe("what the generator rejects, kcp refuses", () => {
  it.each(refused)("$why", async ({ zod, generator, schema, group, kcp }) => {
    if (zod && generator) expect(generatorErrors(zod).join("\n")).toMatch(generator);
    if (group)
      expect(() =>
        defineResource({
          group,
          kind: "Thing",
          plural: "things",
          scope: "Namespaced",
          versions: { v1: { spec: z.object({}) } },
        }),
      ).toThrow(/at least one dot/);
    const err = await createSchema("things", group ?? "agree.example.io", schema);
    expect(err, "kcp accepted the schema").toBeInstanceOf(KubeApiError);
    expect(err!.status).toBe(403);
    expect(err!.message).toMatch(kcp);
  });
});

// What the generator accepts about CEL, kcp accepts: bounded lists and strings keep a rule on each
// item within the budget, and oldSelf works on items of list maps.
describe("CEL the generator accepts, kcp accepts", () => {
  it.each([
    [
      "a rule on each item of a bounded list",
      z.array(cel(z.string().max(64), "self.startsWith('a')")).max(100),
    ],
    ["a rule on an unbounded string", cel(z.string(), "self.startsWith('a')")],
    ["a cheap rule on each item of an unbounded list", z.array(cel(z.string(), "self.startsWith('a')"))],
    [
      "a walking rule on each item of a bounded list",
      z.array(cel(z.string().max(64), "self.contains('a')")).max(100),
    ],
    ["size() of an unbounded list", cel(z.array(z.string().max(8)), "size(self) > 0")],
    [
      "oldSelf on a field of list-map items",
      listMap(
        z.array(z.object({ name: z.string().max(8), v: cel(z.string().max(8), "self == oldSelf") })).max(4),
        ["name"],
      ),
    ],
  ])("%s", async (_why, zod) => {
    expect(generatorErrors(zod)).toEqual([]);
    const { schema } = structuralSchema(z.object({ f: zod }), "spec");
    expect(await createSchema("things", "agree.example.io", rootWith(schema))).toBeUndefined();
  });
});

// Constructs the generator used to get wrong and now writes so that kcp accepts them and stores
// what zod's validateObject returns.
const Address = z.object({ city: z.string().max(40) }).meta({ id: "Address" });
const Fixed = defineResource({
  group: "fixed.agree.example.io",
  kind: "Fixed",
  plural: "fixeds",
  scope: "Namespaced",
  nameValidation: "PathSegmentName",
  versions: {
    v1: {
      scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
      status: z.object({ replicas: z.int32().optional() }),
      spec: z.object({
        replicas: z.int32().min(0).default(1),
        source: z.discriminatedUnion("type", [
          z.strictObject({
            type: z.literal("git"),
            url: z.string().max(100),
            mode: z.enum(["fast", "safe"]).default("safe"),
            opts: z.object({ depth: z.int32().min(1).default(1) }).optional(),
          }),
          z.strictObject({
            type: z.literal("oci"),
            image: z.string().max(100),
            mode: z.enum(["fast", "safe"]).default("safe"),
          }),
        ]),
        home: Address,
        work: Address.optional(),
      }),
      printerColumns: [
        { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      ],
    },
  },
});
const fixedApi = defineApi({ name: "fixed.agree.example.io", resources: [Fixed] });

describe("constructs the generator now writes differently, on kcp", () => {
  let consumer: KubeClient;
  let consumerPath: string;
  const path = "/apis/fixed.agree.example.io/v1/namespaces/default/fixeds";

  beforeAll(async () => {
    const result = generate(fixedApi);
    await apply(client, result.objects as KubeObject[]);
    consumerPath = (await createWorkspace(root, `root:codegen-agree-${suffix}-consumer`)).path;
    consumer = root.forWorkspace(consumerPath);
    await bindExport(consumer, { path: ws, name: fixedApi.name });
  });

  it.each([
    ["git, variant defaults applied", { source: { type: "git", url: "u" }, home: { city: "a" } }],
    ["git with opts, nested default", { source: { type: "git", url: "u", opts: {} }, home: { city: "a" } }],
    [
      "oci: no default of git written into it",
      { source: { type: "oci", image: "i" }, home: { city: "a" }, work: { city: "b" } },
    ],
  ])("stores %s as zod's validateObject returns it", async (_why, spec) => {
    const obj = {
      apiVersion: "fixed.agree.example.io/v1",
      kind: "Fixed",
      metadata: { name: `f-${uniqueSuffix()}` },
      spec,
    };
    const zod = validateObject(Fixed, obj);
    if (!zod.ok) throw new Error(JSON.stringify(zod.issues));
    const created = await consumer.request<KubeObject>({ method: "POST", path, body: obj });
    expect(created.spec).toEqual(zod.value.spec);
  });

  it("refuses a field of another strict variant, as zod does", async () => {
    const obj = {
      apiVersion: "fixed.agree.example.io/v1",
      kind: "Fixed",
      metadata: { name: "bad" },
      spec: { source: { type: "oci", image: "i", url: "u" }, home: { city: "a" } },
    };
    expect(validateObject(Fixed, obj).ok).toBe(false);
    const err = await consumer.request({ method: "POST", path, body: obj }).catch((e: unknown) => e);
    expect((err as KubeApiError).status).toBe(422);
    expect((err as KubeApiError).message).toContain("url, opts are not allowed when type is oci");
  });

  it.skipIf(!hasKubectl)(
    "serves the JSONPath filter column and the Age column (kubectl get shows them)",
    () => {
      const r = kubectl(["get", "fixeds", "-n", "default"], consumerPath);
      expect(r.stderr).toBe("");
      expect(r.stdout.split("\n")[0]).toMatch(/^NAME\s+READY\s+AGE\s*$/);
    },
  );

  it("serves the scale subresource: kubectl scale changes spec.replicas", async () => {
    const name = `scaled-${uniqueSuffix()}`;
    const body = {
      apiVersion: "fixed.agree.example.io/v1",
      kind: "Fixed",
      metadata: { name },
      spec: { source: { type: "oci", image: "i" }, home: { city: "a" } },
    };
    await consumer.request({ method: "POST", path, body });
    const scale = await consumer.request<{ kind: string; spec: { replicas: number } }>({
      path: `${path}/${name}/scale`,
    });
    expect(scale).toMatchObject({ kind: "Scale", spec: { replicas: 1 } });
    await consumer.request({
      method: "PATCH",
      path: `${path}/${name}/scale`,
      body: { spec: { replicas: 3 } },
      contentType: "application/merge-patch+json",
    });
    const after = await consumer.request<KubeObject>({ path: `${path}/${name}` });
    expect((after.spec as { replicas: number }).replicas).toBe(3);
  });

  it("takes names kcp's PathSegmentName allows and DNS names do not (nameValidation)", async () => {
    const body = {
      apiVersion: "fixed.agree.example.io/v1",
      kind: "Fixed",
      metadata: { name: "Upper_Case:name" },
      spec: { source: { type: "oci", image: "i" }, home: { city: "a" } },
    };
    const created = await consumer.request<KubeObject>({ method: "POST", path, body });
    expect(created.metadata.name).toBe("Upper_Case:name");
  });
});

// The generator reports these even though kcp would accept the schema (zod and kcp would then
// disagree on stored objects); the generator's own unit tests show the messages.
it("keeps rejecting what only zod and the runtime care about", () => {
  const api = defineApi({
    name: "dup.agree.example.io",
    resources: [
      defineResource({
        group: "dup.agree.example.io",
        kind: "Dup",
        plural: "dups",
        scope: "Namespaced",
        versions: {
          v1: { spec: z.object({}), status: z.object({ conditions: z.array(z.string()).optional() }) },
        },
      }),
    ],
  });
  expect(() => generate(api)).toThrow(CodegenError);
});

// Classes kcp takes but where data would be lost or objects refused: the generator rejects them
// (see its unit tests); here kcp shows the harm, with the raw schemas the generator used to write.
describe("what kcp takes but the generator rejects, because data is lost or objects refused", () => {
  const group = "harm.agree.example.io";
  let consumer: KubeClient;
  const object = (spec: unknown) => ({
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec,
      status: { type: "object" },
    },
  });

  beforeAll(async () => {
    const provider = (await createWorkspace(root, `root:codegen-agree-${suffix}-harm`)).path;
    const versions = (specA: unknown, specB: unknown) => [
      { name: "v1alpha1", served: true, storage: false, schema: object(specA), subresources: { status: {} } },
      { name: "v1beta1", served: true, storage: true, schema: object(specB), subresources: { status: {} } },
    ];
    const schemas = [
      {
        apiVersion: "apis.kcp.io/v1alpha1",
        kind: "APIResourceSchema",
        metadata: { name: `v1beta1-x.twos.${group}` },
        spec: {
          group,
          names: { kind: "Two", listKind: "TwoList", plural: "twos", singular: "two" },
          scope: "Namespaced",
          conversion: { strategy: "None" },
          versions: versions(
            { type: "object", properties: { size: { type: "string" } } },
            { type: "object", properties: { size: { type: "string" }, color: { type: "string" } } },
          ),
        },
      },
      {
        apiVersion: "apis.kcp.io/v1alpha1",
        kind: "APIResourceSchema",
        metadata: { name: `v1-x.unions.${group}` },
        spec: {
          group,
          names: { kind: "Union", listKind: "UnionList", plural: "unions", singular: "union" },
          scope: "Namespaced",
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              subresources: { status: {} },
              // The merged union as the generator wrote it before: git's default on the merged object.
              schema: object({
                type: "object",
                required: ["type"],
                properties: {
                  type: { type: "string", enum: ["git", "oci"] },
                  url: { type: "string" },
                  ref: { type: "string", default: "main" },
                  image: { type: "string" },
                },
                "x-kubernetes-validations": [
                  {
                    rule: "self.type != 'oci' || !(has(self.url) || has(self.ref))",
                    message: "url, ref are not allowed when type is oci",
                  },
                ],
              }),
            },
          ],
        },
      },
    ];
    const exp = {
      apiVersion: "apis.kcp.io/v1alpha2",
      kind: "APIExport",
      metadata: { name: group },
      spec: {
        resources: [
          { group, name: "twos", schema: `v1beta1-x.twos.${group}`, storage: { crd: {} } },
          { group, name: "unions", schema: `v1-x.unions.${group}`, storage: { crd: {} } },
        ],
      },
    };
    await apply(root.forWorkspace(provider), [...schemas, exp] as KubeObject[]);
    const c = (await createWorkspace(root, `root:codegen-agree-${suffix}-harm-consumer`)).path;
    consumer = root.forWorkspace(c);
    await bindExport(consumer, { path: provider, name: group });
  });

  it("loses a field only the storage version has when an object is updated through the other version", async () => {
    const at = (v: string) => `/apis/${group}/${v}/namespaces/default/twos`;
    await consumer.request({
      method: "POST",
      path: at("v1beta1"),
      body: {
        apiVersion: `${group}/v1beta1`,
        kind: "Two",
        metadata: { name: "t" },
        spec: { size: "s", color: "red" },
      },
    });
    const old = await consumer.request<KubeObject>({ path: `${at("v1alpha1")}/t` });
    expect(old.spec).toEqual({ size: "s" });
    await consumer.request({
      method: "PUT",
      path: `${at("v1alpha1")}/t`,
      body: { ...old, spec: { size: "m" } },
    });
    const now = await consumer.request<KubeObject>({ path: `${at("v1beta1")}/t` });
    expect(now.spec).toEqual({ size: "m" }); // color is gone
  });

  it("refuses every object of a strict variant when another variant's default lands on the merged object", async () => {
    const err = await consumer
      .request({
        method: "POST",
        path: `/apis/${group}/v1/namespaces/default/unions`,
        body: {
          apiVersion: `${group}/v1`,
          kind: "Union",
          metadata: { name: "u" },
          spec: { type: "oci", image: "i" },
        },
      })
      .catch((e: unknown) => e);
    expect((err as KubeApiError).status).toBe(422);
    expect((err as KubeApiError).message).toContain("url, ref are not allowed when type is oci");
  });
});
