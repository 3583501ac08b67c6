import { createHash } from "node:crypto";
import { canonicalJson } from "../schema/json-schema.js";

/**
 * The content-addressed name of an APIResourceSchema: `<storage version>-<hash>.<plural>.<group>`,
 * the hash being over the canonical JSON of its spec. The same source gives the same name on any
 * machine; any change to the spec gives a new one (APIResourceSchemas are immutable in kcp).
 */
export function schemaName(
  spec: { group: string; names: { plural: string } },
  storageVersion: string,
): string {
  const hash = createHash("sha256").update(canonicalJson(spec)).digest("hex").slice(0, 10);
  return `${storageVersion}-${hash}.${spec.names.plural}.${spec.group}`;
}

/** The hash of a JSON value's canonical form, for comparing schemas in the lock file. */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}
