import { request } from "node:https";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineResource } from "../api/resource.js";
import { answerConversionReview, type ConversionReview } from "./conversion-review.js";
import { serveConversionWebhook } from "./conversion-webhook.js";
import { selfSignedCertificate } from "./self-signed-certificate.js";

const Bin = defineResource({
  group: "bins.example.io",
  kind: "Bin",
  plural: "bins",
  scope: "Namespaced",
  versions: {
    v1alpha1: { storage: true, spec: z.object({ port: z.int32() }) },
    v1beta1: { spec: z.object({ listen: z.object({ port: z.int32() }) }) },
  },
  conversions: {
    "v1alpha1->v1beta1": { rules: { "spec.listen.port": { from: "spec.port", transformation: "self + 1" } } },
    "v1beta1->v1alpha1": { rules: { "spec.port": "spec.listen.port" } },
  },
});

const review = (
  objects: Record<string, unknown>[],
  desired = "bins.example.io/v1beta1",
): ConversionReview => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "ConversionReview",
  request: { uid: "u1", desiredAPIVersion: desired, objects },
});
const bin = (name: string, spec: object) => ({
  apiVersion: "bins.example.io/v1alpha1",
  kind: "Bin",
  metadata: { name, namespace: "default", annotations: { "kcp.io/cluster": "ws1" } },
  spec,
});

describe("answerConversionReview", () => {
  it("converts every object of the review", () => {
    const { review: answer, failure } = answerConversionReview([Bin], review([bin("a", { port: 1 })]));
    expect(failure).toBeUndefined();
    expect(answer.response).toMatchObject({
      uid: "u1",
      result: { status: "Success" },
      convertedObjects: [{ apiVersion: "bins.example.io/v1beta1", spec: { port: 1, listen: { port: 2 } } }],
    });
  });

  it("fails the whole review naming workspace and object when one object cannot be converted", () => {
    const { review: answer, failure } = answerConversionReview(
      [Bin],
      review([bin("a", { port: 1 }), bin("b", { port: "x" })]),
    );
    expect(answer.response?.result.status).toBe("Failure");
    expect(answer.response?.convertedObjects).toEqual([]);
    expect(failure).toMatchObject({ workspace: "ws1", object: "default/b" });
    expect(failure?.message).toMatch(
      /^ws1\|default\/b: converting v1alpha1 to v1beta1, the transformation of spec.port/,
    );
    const other = answerConversionReview([Bin], review([{ ...bin("c", {}), kind: "Other" }]));
    expect(other.failure?.message).toBe(
      "no resource of kind Other in group bins.example.io has conversion rules here",
    );
  });
});

describe("serveConversionWebhook", () => {
  it("answers reviews over https with the given certificate", async () => {
    const tls = selfSignedCertificate();
    const webhook = await serveConversionWebhook({ resources: [Bin], tls });
    try {
      const post = (path: string, body: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(
            `${webhook.url.replace(/\/convert$/, "")}${path}`,
            { method: "POST", ca: tls.cert, headers: { "content-type": "application/json" }, timeout: 5000 },
            (res) => {
              let text = "";
              res.on("data", (d) => (text += d));
              res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
            },
          );
          req.on("error", reject);
          req.end(body);
        });
      const ok = await post("/convert", JSON.stringify(review([bin("a", { port: 7 })])));
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).response.convertedObjects[0].spec.listen).toEqual({ port: 8 });
      expect((await post("/convert", "{not json")).status).toBe(400);
      expect((await post("/other", "{}")).status).toBe(404);
    } finally {
      await webhook.close();
    }
  });
});
