import { KubeApiError, type KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import type { JsonPatchOp } from "./finalizers.js";
import { type ObjectKey, objectPath, type ResourceCoordinates } from "./object-paths.js";

/**
 * Writes the parts of consumer objects a provider may write: status (server-side apply on the
 * status subresource, so fields the handler stops setting are removed and fields others own are
 * kept) and finalizers (guarded JSON patches). Never the spec.
 */
export class StatusWriter {
  constructor(
    /** Client for the endpoint (virtual workspace URL) the object was seen through. */
    private readonly client: KubeClient,
    private readonly resource: ResourceCoordinates,
    /** Field manager for server-side apply. */
    private readonly fieldManager: string,
  ) {}

  /**
   * Applies `status` as this field manager's whole status. Forced, because the runtime is the
   * status's owner; a concurrent writer of other fields cannot make it fail.
   * Resolves with the object as written (its resourceVersion tells the cache what to wait for),
   * or `undefined` when the object is gone.
   */
  async applyStatus(key: ObjectKey, status: unknown): Promise<KubeObject | undefined> {
    const r = this.resource;
    const body = {
      apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
      kind: r.kind,
      metadata: { name: key.name, ...(r.namespaced && { namespace: key.namespace }) },
      status,
    };
    try {
      return await this.client.request<KubeObject>({
        method: "PATCH",
        path: objectPath(r, key, "status"),
        query: { fieldManager: this.fieldManager, force: true },
        body,
        contentType: "application/apply-patch+yaml",
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      // Applying to a missing object means "create", which the status subresource of a virtual
      // workspace refuses with 405: tell that apart from a real refusal.
      if (err instanceof KubeApiError && err.status === 405) {
        const exists = await this.client.get(objectPath(r, key));
        if (!exists) return undefined;
      }
      throw err;
    }
  }

  /**
   * Merges `partial` into the status without taking ownership of anything else (a JSON merge
   * patch): used to report a failure in the conditions while leaving the rest of the status as the
   * last successful reconcile wrote it. Resolves `undefined` when the object is gone.
   */
  async mergeStatus(key: ObjectKey, partial: Record<string, unknown>): Promise<KubeObject | undefined> {
    try {
      return await this.client.request<KubeObject>({
        method: "PATCH",
        path: objectPath(this.resource, key, "status"),
        query: { fieldManager: this.fieldManager },
        body: { status: partial },
        contentType: "application/merge-patch+json",
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * Applies a JSON patch to the object (finalizers). A failed `test` (409 or 422) re-reads the
   * object and asks `makePatch` again, a few times, so a concurrent writer does not make the
   * finalizer step fail. Resolves with the object after the patch, or `undefined` when gone.
   */
  async patchWithRetry(
    key: ObjectKey,
    current: KubeObject,
    makePatch: (obj: KubeObject) => JsonPatchOp[] | undefined,
    attempts = 5,
  ): Promise<KubeObject | undefined> {
    let obj: KubeObject | undefined = current;
    for (let i = 0; ; i++) {
      const patch = makePatch(obj);
      if (!patch) return obj;
      try {
        return await this.client.request<KubeObject>({
          method: "PATCH",
          path: objectPath(this.resource, key),
          body: patch,
          contentType: "application/json-patch+json",
        });
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return undefined;
        const conflict = err instanceof KubeApiError && (err.status === 409 || err.status === 422);
        if (!conflict || i >= attempts - 1) throw err;
        obj = await this.client.get<KubeObject>(objectPath(this.resource, key));
        if (!obj) return undefined;
      }
    }
  }
}
