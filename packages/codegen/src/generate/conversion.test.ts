import { type ConversionsInput, defineApi, defineResource, type VersionDefinition } from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { CodegenError } from "../problems.js";
import { generate } from "./generate.js";

const alpha = {
  spec: z.object({ port: z.int32(), path: z.string().default("/"), owner: z.string().optional() }),
  status: z.object({ url: z.string().optional() }),
};
const beta = {
  spec: z.object({
    listen: z.object({ port: z.int32(), path: z.string() }),
    owner: z.string().optional(),
    tier: z.enum(["free", "paid"]).optional(),
  }),
  status: z.object({ endpoint: z.string().optional() }),
};
const good: ConversionsInput = {
  "v1alpha1->v1beta1": {
    rules: {
      "spec.listen.port": "spec.port",
      "spec.listen.path": { from: "spec.path", transformation: "self == '' ? '/' : self" },
      "status.endpoint": "status.url",
    },
  },
  "v1beta1->v1alpha1": {
    rules: {
      "spec.port": "spec.listen.port",
      "spec.path": "spec.listen.path",
      "status.url": "status.endpoint",
    },
    preserve: ["spec.tier"],
  },
};

// The type-level checks of defineResource refuse most of the broken conversions below at compile
// time already; these tests go around them to show mesh-codegen refuses them too (plain JS, zod/v3).
function api(conversions: ConversionsInput | undefined, versions: Record<string, VersionDefinition> = {}) {
  return defineApi({
    name: "bins.example.io",
    resources: [
      defineResource({
        group: "bins.example.io",
        kind: "Bin",
        plural: "bins",
        scope: "Namespaced",
        versions: { v1alpha1: { storage: true, ...alpha }, v1beta1: beta, ...versions },
        ...(conversions && { conversions: conversions as never }),
      }),
    ],
  });
}

function errors(conversions: ConversionsInput | undefined, versions: Record<string, VersionDefinition> = {}) {
  try {
    generate(api(conversions, versions));
    return [];
  } catch (err) {
    if (!(err instanceof CodegenError)) throw err;
    return err.problems
      .filter((p) => p.severity === "error")
      .map((p) => `${p.where} ${p.path}: ${p.message}`);
  }
}

describe("conversions", () => {
  it("emits the APIConversion next to the APIResourceSchema, named like it, in kcp's path form", () => {
    const r = generate(api(good));
    const docs = parseAllDocuments(r.files["apiresourceschema-bins.bins.example.io.yaml"]!).map((d) =>
      d.toJSON(),
    );
    expect(docs.map((d) => d.kind)).toEqual(["APIResourceSchema", "APIConversion"]);
    expect(docs[1].metadata.name).toBe(docs[0].metadata.name);
    expect(docs[0].spec.conversion).toEqual({ strategy: "None" });
    expect(docs[1].spec.conversions).toEqual([
      {
        from: "v1alpha1",
        to: "v1beta1",
        rules: [
          { field: ".spec.port", destination: ".spec.listen.port" },
          {
            field: ".spec.path",
            destination: ".spec.listen.path",
            transformation: "self == '' ? '/' : self",
          },
          { field: ".status.url", destination: ".status.endpoint" },
        ],
      },
      {
        from: "v1beta1",
        to: "v1alpha1",
        rules: [
          { field: ".spec.listen.port", destination: ".spec.port" },
          { field: ".spec.listen.path", destination: ".spec.path" },
          { field: ".status.endpoint", destination: ".status.url" },
        ],
        preserve: [".spec.tier"],
      },
    ]);
    // A changed rule gives a new schema name, so the pair is replaced, never edited in place.
    const changed = generate(
      api({ ...good, "v1alpha1->v1beta1": { ...good["v1alpha1->v1beta1"]!, preserve: ["spec.owner"] } }),
    );
    expect(changed.objects[0]!.metadata).not.toEqual(r.objects[0]!.metadata);
  });

  it("warns when one version converts to several: kcp's converter keeps one rule list per source version", () => {
    const v1 = { ...alpha };
    const r = generate(
      api(
        {
          ...good,
          "v1alpha1->v1": { rules: {} },
          "v1->v1alpha1": { rules: {} },
        },
        { v1: { ...v1, served: false } },
      ),
    );
    expect(r.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(
        /^v1alpha1 converts to v1beta1 and v1: kcp's own APIConversion converter keeps one rule list per source version/,
      ),
    );
  });

  it("with a conversion webhook: strategy Webhook, a new name, and the APIExport follows", () => {
    const caBundle = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const r = generate(api(good), { conversionWebhook: { url: "https://127.0.0.1:9443/convert", caBundle } });
    const [schema, conversion, exp] = r.objects as {
      metadata: { name: string };
      spec: Record<string, unknown>;
    }[];
    expect(schema!.spec.conversion).toEqual({
      strategy: "Webhook",
      webhook: {
        conversionReviewVersions: ["v1"],
        clientConfig: {
          url: "https://127.0.0.1:9443/convert",
          caBundle: Buffer.from(caBundle).toString("base64"),
        },
      },
    });
    expect(conversion!.metadata.name).toBe(schema!.metadata.name);
    expect((exp!.spec.resources as { schema: string }[])[0]!.schema).toBe(schema!.metadata.name);
    expect(schema!.metadata.name).not.toBe(generate(api(good)).objects[0]!.metadata);
    expect(r.lock.resources["bins.bins.example.io"]!.published).toEqual([schema!.metadata.name]);
    expect(() => generate(api(good), { conversionWebhook: { url: "http://x/convert", caBundle } })).toThrow(
      "kcp calls conversion webhooks over https only",
    );
  });

  it("refuses differing served versions without conversions, naming the fields", () => {
    const e = errors(undefined);
    expect(e).toContain(
      'Bin v1beta1 spec.listen: exists only in v1beta1: an object written as v1beta1 and updated as v1alpha1 loses it; kcp converts between versions without conversion rules (strategy None: only apiVersion changes), so give v1beta1 the same spec and status schemas as v1alpha1, or declare conversions["v1alpha1->v1beta1"] and conversions["v1beta1->v1alpha1"] on the resource, or stop serving it (served: false)',
    );
    expect(e.map((l) => l.split(":")[0])).toEqual(
      expect.arrayContaining(["Bin v1beta1 spec.port", "Bin v1beta1 spec.path", "Bin v1beta1 status.url"]),
    );
  });

  it("refuses a conversion declared one way only, naming what the other way loses", () => {
    expect(errors({ "v1alpha1->v1beta1": good["v1alpha1->v1beta1"]! })).toEqual([
      'Bin : v1beta1 and v1alpha1 differ and there is no conversions["v1beta1->v1alpha1"]: kcp would copy objects unchanged, so spec.listen, spec.tier, status.endpoint, spec.port would be lost or invalid; declare conversions["v1beta1->v1alpha1"] (and the way back), or stop serving v1beta1 (served: false)',
    ]);
  });

  const where = 'Bin conversions["v1alpha1->v1beta1"]';
  const withRules = (
    rules: Record<string, string | { from: string; transformation?: string }>,
    preserve?: string[],
  ) => ({
    ...good,
    "v1alpha1->v1beta1": { rules, ...(preserve && { preserve }) },
  });
  const base = {
    "spec.listen.port": "spec.port",
    "spec.listen.path": "spec.path",
    "status.endpoint": "status.url",
  };

  it("refuses a rule that reads a field the source version lacks", () => {
    expect(errors(withRules({ ...base, "spec.listen.port": "spec.prot" }))).toContain(
      `${where} rules["spec.listen.port"]: reads spec.prot, which is not a field of v1alpha1`,
    );
  });

  it("refuses a rule that writes a field the target version lacks", () => {
    expect(errors(withRules({ ...base, "spec.listen.host": "spec.owner" }))).toContain(
      `${where} rules["spec.listen.host"]: writes spec.listen.host, which is not a field of v1beta1`,
    );
  });

  it("refuses a transformation that does not compile, or gives the wrong type", () => {
    expect(
      errors(
        withRules({ ...base, "spec.listen.path": { from: "spec.path", transformation: "self.nope(" } }),
      )[0],
    ).toMatch(
      /^Bin conversions\["v1alpha1->v1beta1"\] rules\["spec.listen.path"\]: the transformation "self.nope\(" \(self: spec.path of v1alpha1\) does not compile: /,
    );
    expect(
      errors(withRules({ ...base, "spec.listen.path": { from: "spec.port", transformation: "self + 1" } })),
    ).toContain(
      `${where} rules["spec.listen.path"]: the transformation "self + 1" (self: spec.port of v1alpha1) gives a int, but the destination holds a string`,
    );
  });

  it("refuses a plain move between fields whose schemas differ", () => {
    expect(errors(withRules({ ...base, "spec.listen.path": "spec.port" }))[0]).toMatch(
      /rules\["spec.listen.path"\]: copies spec.port of v1alpha1 as is into spec.listen.path of v1beta1, but their schemas differ .*; add a transformation/,
    );
  });

  it("refuses a conversion that loses a source field", () => {
    const { "spec.path": _p, ...rest } = good["v1beta1->v1alpha1"]!.rules as Record<string, string>;
    expect(errors({ ...good, "v1beta1->v1alpha1": { rules: rest } })).toEqual([
      'Bin conversions["v1beta1->v1alpha1"] spec.listen.path: exists in v1beta1 but not in v1alpha1: converting loses it; read it in a rule (a destination in v1alpha1) or list it in preserve',
      'Bin conversions["v1beta1->v1alpha1"] spec.tier: exists in v1beta1 but not in v1alpha1: converting loses it; read it in a rule (a destination in v1alpha1) or list it in preserve',
    ]);
  });

  it("refuses a conversion that leaves a required target field unproduced", () => {
    const { "spec.listen.path": _p, ...rest } = base;
    expect(errors(withRules(rest, ["spec.path"]))).toEqual([
      `${where} spec.listen.path: is required in v1beta1 and nothing produces it from v1alpha1: add a rule whose destination is spec.listen.path`,
    ]);
  });

  it("refuses a preserved field the source lacks", () => {
    expect(errors(withRules(base, ["spec.nothing"]))).toContain(
      `${where} preserve: spec.nothing is not a field of v1alpha1`,
    );
  });

  it("refuses a field of one path that the versions check differently, unless a rule converts it", () => {
    const owner = { ...beta, spec: beta.spec.extend({ owner: z.string().max(5).optional() }) };
    const conversions = (extra: Record<string, string | { from: string; transformation: string }>) => ({
      ...good,
      "v1alpha1->v1beta1": { rules: { ...base, ...extra } },
    });
    expect(errors(conversions({}), { v1beta1: owner })).toContain(
      `${where} spec.owner: is checked differently in v1alpha1 ({"type":"string"}) and v1beta1 ({"maxLength":5,"type":"string"}): an object valid in one is invalid in the other; add a rule for it with a transformation`,
    );
    expect(
      errors(conversions({ "spec.owner": { from: "spec.owner", transformation: "self.substring(0, 5)" } }), {
        v1beta1: owner,
      }),
    ).toEqual([]);
  });
});
