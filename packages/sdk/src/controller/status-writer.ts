import type { ObjectRef } from "../runtime/item.js";
import { KubeApiError, type KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import type { JsonPatchOp } from "./finalizers.js";
import { objectPath, type ResourceCoordinates } from "./object-paths.js";

/** Options of {@link StatusWriter.applyStatus}. */
export interface ApplyStatusOptions {
  signal?: AbortSignal;
  /** The object as last seen (e.g. from the cache); read from the server when absent. */
  current?: KubeObject;
  /**
   * Top-level status fields this writer set last time; read from the object's managedFields
   * (this field manager's status entry) when absent and needed.
   */
  owned?: readonly string[];
}

type ManagedFieldsEntry = {
  manager?: string;
  subresource?: string;
  fieldsV1?: { "f:status"?: Record<string, unknown> };
};

/**
 * Writes the parts of consumer objects a provider may write: status (each top-level field the
 * provider sets is replaced whole, fields it set before and no longer sets are removed, fields
 * others wrote are kept) and finalizers (guarded JSON patches). Never the spec.
 *
 * Status goes out as a JSON patch, not server-side apply: the APIExport virtual workspace serves
 * an apply patch as a plain update (its managedFields say `operation: Update`), so apply would
 * never remove a field the handler stopped setting.
 */
export class StatusWriter {
  constructor(
    /** Client for the endpoint (virtual workspace URL) the object was seen through. */
    private readonly client: KubeClient,
    private readonly resource: ResourceCoordinates,
    /** Field manager recorded for every write. */
    private readonly fieldManager: string,
  ) {}

  /**
   * Makes `status` this writer's whole status: its top-level fields are written, and the
   * top-level fields this writer owned before but `status` lacks are removed. A concurrent writer
   * cannot make it fail (a stale view is re-read and the patch made again). Resolves with the
   * object as written (its resourceVersion tells the cache what to wait for), or `undefined` when
   * the object is gone.
   */
  async applyStatus(
    key: ObjectRef,
    status: Record<string, unknown>,
    options: ApplyStatusOptions = {},
  ): Promise<KubeObject | undefined> {
    const { signal } = options;
    let current = options.current ?? (await this.read(key, signal));
    let owned = options.owned;
    for (let attempt = 0; ; attempt++) {
      if (!current) return undefined;
      const have = (current.status ?? undefined) as Record<string, unknown> | undefined;
      const extra = Object.keys(have ?? {}).filter((k) => !(k in status));
      if (extra.length > 0 && owned === undefined) {
        // Only the server's managedFields say which of the extra fields are ours to remove.
        if (!current.metadata.managedFields) current = await this.read(key, signal);
        if (!current) return undefined;
        owned = this.ownedFields(current);
      }
      const remove = extra.filter((k) => owned?.includes(k));
      if (have === undefined) {
        // No status seen yet: a merge patch creates it, and keeps the fields of another writer
        // that created it meanwhile (`add /status` would replace them).
        try {
          return await this.client.request<KubeObject>({
            method: "PATCH",
            path: objectPath(this.resource, key, "status"),
            query: { fieldManager: this.fieldManager },
            body: { status },
            contentType: "application/merge-patch+json",
            ...(signal && { signal }),
          });
        } catch (err) {
          if (err instanceof KubeApiError && err.status === 404) return undefined;
          throw err;
        }
      }
      const ops: JsonPatchOp[] = [
        ...Object.entries(status).map(
          ([k, v]): JsonPatchOp => ({ op: "add", path: `/status/${pointerSegment(k)}`, value: v }),
        ),
        ...remove.map((k): JsonPatchOp => ({ op: "remove", path: `/status/${pointerSegment(k)}` })),
      ];
      try {
        return await this.client.request<KubeObject>({
          method: "PATCH",
          path: objectPath(this.resource, key, "status"),
          query: { fieldManager: this.fieldManager },
          body: ops,
          contentType: "application/json-patch+json",
          ...(signal && { signal }),
        });
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return undefined;
        // A field removed or a status created meanwhile: look again and make the patch anew.
        const stale = err instanceof KubeApiError && (err.status === 409 || err.status === 422);
        if (!stale || attempt >= 4) throw err;
        current = await this.read(key, signal);
      }
    }
  }

  /** Top-level status fields this writer's field manager owns, from an object's managedFields. */
  ownedFields(obj: KubeObject): string[] {
    const entries = (obj.metadata.managedFields ?? []) as ManagedFieldsEntry[];
    const out = new Set<string>();
    for (const e of entries) {
      if (e.manager !== this.fieldManager) continue;
      for (const k of Object.keys(e.fieldsV1?.["f:status"] ?? {}))
        if (k.startsWith("f:")) out.add(k.slice(2));
    }
    return [...out];
  }

  private read(key: ObjectRef, signal: AbortSignal | undefined): Promise<KubeObject | undefined> {
    return this.client
      .request<KubeObject>({ path: objectPath(this.resource, key), ...(signal && { signal }) })
      .catch((err: unknown) => {
        if (err instanceof KubeApiError && err.status === 404) return undefined;
        throw err;
      });
  }

  /**
   * Merges `partial` into the status without taking ownership of anything else (a JSON merge
   * patch): used to report a failure in the conditions while leaving the rest of the status as the
   * last successful reconcile wrote it. Resolves `undefined` when the object is gone.
   */
  async mergeStatus(
    key: ObjectRef,
    partial: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<KubeObject | undefined> {
    try {
      return await this.client.request<KubeObject>({
        method: "PATCH",
        path: objectPath(this.resource, key, "status"),
        query: { fieldManager: this.fieldManager },
        body: { status: partial },
        contentType: "application/merge-patch+json",
        ...(signal && { signal }),
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
    key: ObjectRef,
    current: KubeObject,
    makePatch: (obj: KubeObject) => JsonPatchOp[] | undefined,
    signal?: AbortSignal,
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
          ...(signal && { signal }),
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

/** A JSON pointer segment (RFC 6901). */
function pointerSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
