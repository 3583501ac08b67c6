import type { ObjectMeta } from "../util/objects.js";
import type { AnyResource } from "./resource.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

/** The version names of a resource. */
export type VersionOf<R extends AnyResource> = keyof R["versions"] & string;

/** The storage version's name of a resource. */
export type StorageVersion<R extends AnyResource> = R["storageVersion"];

type SpecSchema<R extends AnyResource, V extends VersionOf<R>> = R["versions"][V]["spec"];
type StatusSchema<R extends AnyResource, V extends VersionOf<R>> = R["versions"][V] extends {
  status: infer S extends StandardSchemaV1;
}
  ? S
  : never;

/** The typed `spec` of a resource version (default: the storage version), after defaults are applied. */
export type InferSpec<
  R extends AnyResource,
  V extends VersionOf<R> = StorageVersion<R>,
> = StandardSchemaV1.InferOutput<SpecSchema<R, V>>;

/** The typed `status` of a resource version (default: the storage version); `never` when it has none. */
export type InferStatus<R extends AnyResource, V extends VersionOf<R> = StorageVersion<R>> = [
  StatusSchema<R, V>,
] extends [never]
  ? never
  : StandardSchemaV1.InferOutput<StatusSchema<R, V>>;

/** What a client may write as `spec`: fields with defaults are optional. */
export type InferSpecInput<
  R extends AnyResource,
  V extends VersionOf<R> = StorageVersion<R>,
> = StandardSchemaV1.InferInput<SpecSchema<R, V>>;

type ObjectOf<R extends AnyResource, V extends string, Spec, Status> = {
  apiVersion: `${R["group"]}/${V}`;
  kind: R["kind"];
  metadata: ObjectMeta;
  spec: Spec;
} & ([Status] extends [never] ? unknown : { status?: Status });

/**
 * A typed object of a resource version (default: the storage version). Pass a union of versions,
 * or {@link VersionOf}, to get a union discriminated by `apiVersion`.
 *
 * @example
 * ```ts
 * type WidgetObject = Infer<typeof Widget>;
 * const w: WidgetObject = { apiVersion: "widgets.example.io/v1alpha1", kind: "Widget",
 *   metadata: { name: "w" }, spec: { size: "small", replicas: 1 } };
 * ```
 */
export type Infer<R extends AnyResource, V extends VersionOf<R> = StorageVersion<R>> =
  V extends VersionOf<R> ? ObjectOf<R, V, InferSpec<R, V>, InferStatus<R, V>> : never;

/** What a client writes to create an object: the input side of the schemas, defaults optional. */
export type InferInput<R extends AnyResource, V extends VersionOf<R> = StorageVersion<R>> =
  V extends VersionOf<R>
    ? ObjectOf<
        R,
        V,
        InferSpecInput<R, V>,
        [StatusSchema<R, V>] extends [never] ? never : StandardSchemaV1.InferInput<StatusSchema<R, V>>
      >
    : never;
