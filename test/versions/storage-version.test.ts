import { CodegenError, generate } from "@kcp-mesh/codegen";
import {
  type ConversionWebhook,
  KubeApiError,
  type KubeObject,
  selfSignedCertificate,
  serveConversionWebhook,
} from "@kcp-mesh/sdk";
import { defineApi, defineResource, withConversionWebhook } from "@kcp-mesh/sdk/api";
import { apply, bindExport, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { adminClient, uniqueSuffix } from "../support/kcp.js";

const GROUP = "storage.versions.example.io";
const alpha = { spec: z.object({ port: z.int32() }) };
const beta = { spec: z.object({ listen: z.object({ port: z.int32() }) }) };
const conversions = {
  "v1alpha1->v1beta1": { rules: { "spec.listen.port": "spec.port" } },
  "v1beta1->v1alpha1": { rules: { "spec.port": "spec.listen.port" } },
} as const;
const resource = (storage: "v1alpha1" | "v1beta1", withAlpha = true) =>
  defineResource({
    group: GROUP,
    kind: "Bin",
    plural: "bins",
    scope: "Namespaced",
    versions: withAlpha
      ? {
          v1alpha1: { ...alpha, storage: storage === "v1alpha1" },
          v1beta1: { ...beta, storage: storage === "v1beta1" },
        }
      : { v1beta1: beta },
    ...(withAlpha && { conversions: conversions as never }),
  });
const api = (storage: "v1alpha1" | "v1beta1", withAlpha = true) =>
  defineApi({ name: GROUP, resources: [resource(storage, withAlpha)] });

// Why the lock file treats a moved storage version as breaking, on real kcp v0.32.3: the objects
// consumers stored stay encoded in the old storage version. They read fine while the schema keeps
// that version and the conversions (kcp converts on read), and are unreadable once it does not.
describe("moving the storage version of a published resource", () => {
  const root = adminClient();
  const base = `root:versions-storage-${uniqueSuffix()}`;
  let webhook: ConversionWebhook;
  let caBundle: string;
  const publish = async (providerPath: string, objects: Record<string, unknown>[]) =>
    apply(
      root.forWorkspace(providerPath),
      withConversionWebhook(objects, { url: webhook.url, caBundle }) as KubeObject[],
    );

  beforeAll(async () => {
    const tls = selfSignedCertificate({ hosts: ["127.0.0.1"] });
    caBundle = tls.cert;
    webhook = await serveConversionWebhook({ resources: [resource("v1alpha1")], tls });
  });
  afterAll(async () => {
    await webhook?.close();
    root.close();
  });

  it("is flagged by the lock file", () => {
    const published = generate(api("v1alpha1")).lock;
    expect(() => generate(api("v1beta1"), { lock: published })).toThrow(CodegenError);
    expect(() => generate(api("v1beta1"), { lock: published })).toThrow(
      "Bin: breaking change: storage version changed from v1alpha1 to v1beta1",
    );
  });

  it("leaves stored objects in the old encoding: readable while the schema keeps it, unreadable once it does not", async () => {
    const provider = await createWorkspace(root, `${base}:provider`);
    await publish(provider.path, generate(api("v1alpha1")).objects);
    const consumer = root.forWorkspace((await createWorkspace(root, `${base}:consumer`)).path);
    await bindExport(consumer, { path: provider.path, name: GROUP });
    const path = (v: string) => `/apis/${GROUP}/${v}/namespaces/default/bins`;
    await waitFor("bins served", () => consumer.get(path("v1alpha1")).catch(() => undefined));
    await apply(consumer, [
      {
        apiVersion: `${GROUP}/v1alpha1`,
        kind: "Bin",
        metadata: { name: "old", namespace: "default" },
        spec: { port: 80 },
      },
    ]);

    // The export moves to a schema stored as v1beta1 (what --allow-breaking would let through).
    await publish(provider.path, generate(api("v1beta1")).objects);
    const binding = await waitFor(
      "the binding on the new schema, both storage versions recorded",
      async () => {
        const b = await consumer.get<{ status?: { boundResources?: { storageVersions?: string[] }[] } }>(
          `/apis/apis.kcp.io/v1alpha2/apibindings/${GROUP}`,
        );
        const versions = b?.status?.boundResources?.[0]?.storageVersions ?? [];
        return versions.includes("v1beta1") ? versions : undefined;
      },
    );
    expect(binding).toEqual(["v1alpha1", "v1beta1"]);
    const read = await consumer.get<{ spec: unknown }>(`${path("v1beta1")}/old`);
    expect(read?.spec).toEqual({ listen: { port: 80 } });

    // A schema without v1alpha1: the object stored as v1alpha1 can no longer be read.
    await publish(provider.path, generate(api("v1beta1", false)).objects);
    const err = await waitFor("the stored v1alpha1 object to fail", async () => {
      try {
        await consumer.get(`${path("v1beta1")}/old`);
        return undefined;
      } catch (e) {
        return e instanceof KubeApiError ? e : undefined;
      }
    });
    expect(err.status).toBe(500);
    expect(err.message).toContain(`request to convert CR from an invalid group/version: ${GROUP}/v1alpha1`);
  });
});
