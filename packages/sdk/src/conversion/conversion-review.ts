import { convertObject } from "../api/convert-object.js";
import type { AnyResource } from "../api/resource.js";
import { CLUSTER_ANNOTATION } from "../util/objects.js";

/** A `ConversionReview` (apiextensions.k8s.io/v1) as the API server sends it to a conversion webhook. */
export interface ConversionReview {
  apiVersion: string;
  kind: "ConversionReview";
  request?: { uid: string; desiredAPIVersion: string; objects: Record<string, unknown>[] };
  response?: {
    uid: string;
    convertedObjects: Record<string, unknown>[];
    result: { status: "Success" | "Failure"; message?: string };
  };
}

/** One object a review could not convert, for the log line: workspace, object and why. */
export interface ConversionFailure {
  workspace: string;
  object: string;
  message: string;
}

/**
 * Answers a ConversionReview with the declared conversion rules of the resources (see
 * `convertObject`). A review either converts every object or fails as a whole, as the API server
 * expects; the failure's message names the object and the rule.
 *
 * @example
 * ```ts
 * const { review: answer } = answerConversionReview([HttpBin], review);
 * ```
 */
export function answerConversionReview(
  resources: readonly AnyResource[],
  review: ConversionReview,
): { review: ConversionReview; failure?: ConversionFailure } {
  const request = review.request;
  if (!request || typeof request.uid !== "string" || !Array.isArray(request.objects))
    throw new Error("not a ConversionReview request: request.uid and request.objects are required");
  const answer = (
    result: { status: "Success" | "Failure"; message?: string },
    converted: Record<string, unknown>[],
  ) => ({
    apiVersion: review.apiVersion,
    kind: "ConversionReview" as const,
    response: { uid: request.uid, convertedObjects: converted, result },
  });
  const slash = request.desiredAPIVersion.lastIndexOf("/");
  const group = request.desiredAPIVersion.slice(0, slash);
  const version = request.desiredAPIVersion.slice(slash + 1);
  const converted: Record<string, unknown>[] = [];
  for (const obj of request.objects) {
    const meta = (obj.metadata ?? {}) as {
      name?: string;
      namespace?: string;
      annotations?: Record<string, string>;
    };
    const where = {
      workspace: meta.annotations?.[CLUSTER_ANNOTATION] ?? "",
      object: `${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? ""}`,
    };
    const resource = resources.find((r) => r.group === group && r.kind === obj.kind);
    try {
      if (!resource)
        throw new Error(
          `no resource of kind ${String(obj.kind)} in group ${group} has conversion rules here`,
        );
      converted.push(
        convertObject(resource, obj as { apiVersion: string }, version) as Record<string, unknown>,
      );
    } catch (err) {
      const message = (err as Error).message;
      return { review: answer({ status: "Failure", message }, []), failure: { ...where, message } };
    }
  }
  return { review: answer({ status: "Success" }, converted) };
}
