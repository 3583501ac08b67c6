import type { ResourceDefinition, VersionDefinition } from "./resource.js";

/**
 * A resource as the runtime handles it in one chosen version: `storageVersion` and `apiVersion`
 * name that version, so the provider watches, types, validates and writes status in it. kcp
 * converts whatever version consumers wrote (with the resource's conversion rules).
 */
export type InVersion<R extends ResourceDefinition, V extends string> = Omit<
  R,
  "storageVersion" | "apiVersion"
> & {
  readonly storageVersion: V;
  readonly apiVersion: `${R["group"]}/${V}`;
  /** The resource as defined, whose storage version kcp stores objects in. */
  readonly definedAs: R;
};

/**
 * The resource handled in `version` instead of its storage version: pass it to
 * `provider.reconcile` (or `resourceTarget`) and the handler gets objects of that version, whatever
 * version consumers wrote them in, and returns status in that version. Publish the resource itself
 * in `defineApi`, not this view.
 *
 * @example
 * ```ts
 * provider.reconcile(inVersion(HttpBin, "v1beta1"), async (bin) => {
 *   return { status: { url: `http://127.0.0.1:${bin.spec.listen.port}` } };
 * });
 * ```
 */
export function inVersion<
  R extends ResourceDefinition<string, string, Record<string, VersionDefinition>>,
  const V extends keyof R["versions"] & string,
>(resource: R, version: V): InVersion<R, V> {
  if (!(version in resource.versions))
    throw new Error(
      `${resource.kind}: ${version} is not one of its versions (${Object.keys(resource.versions).join(", ")})`,
    );
  if ((resource.versions[version] as VersionDefinition).served === false)
    throw new Error(
      `${resource.kind} ${version}: is not served (served: false), so kcp cannot show objects in it`,
    );
  const base = (resource as unknown as { definedAs?: R }).definedAs ?? resource;
  return Object.freeze({
    ...base,
    storageVersion: version,
    apiVersion: `${resource.group}/${version}` as `${R["group"]}/${V}`,
    definedAs: base as R,
  });
}
