import { parse } from "yaml";
import { toSafeYaml } from "../output/yaml.js";
import type { JsonSchema } from "../schema/json-schema.js";

/** What the lock file remembers per resource. */
export interface LockedResource {
  scope: "Namespaced" | "Cluster";
  /** Every APIResourceSchema name ever generated for the resource, oldest first. */
  published: string[];
  /** The schema each version was last published with: new schemas of that version must stay compatible. */
  versions: Record<string, JsonSchema>;
  /**
   * The storage version, written when there are several versions (with one, it is that one).
   * Changing it for a published resource is a breaking change.
   */
  storageVersion?: string;
  /** The conversion rules last published, keyed `"<from>-><to>"`; written when there are any. */
  conversions?: Record<string, LockedConversion>;
}

/** One conversion as the lock file remembers it. */
export interface LockedConversion {
  rules: { destination: string; field: string; transformation?: string }[];
  preserve?: string[];
}

/** The lock file: the API's published history, committed beside the generated YAML. */
export interface LockFile {
  lockVersion: 1;
  api: string;
  /** Keyed by `<plural>.<group>`. */
  resources: Record<string, LockedResource>;
}

const HEADER = `# Written by mesh-codegen: every APIResourceSchema this API has published, and the schema each
# version was last published with. Commit it: \`generate\` refuses changes that would break objects
# consumers already stored, unless they go into a new version.
`;

/** An empty history for an API. */
export function emptyLock(api: string): LockFile {
  return { lockVersion: 1, api, resources: {} };
}

/** The lock file's text; stable for the same content. */
export function renderLock(lock: LockFile): string {
  return HEADER + toSafeYaml(lock);
}

/** Reads a lock file's text, checking that it is one and belongs to `api`. */
export function parseLock(text: string, file: string, api: string): LockFile {
  const value = parse(text) as Partial<LockFile> | null;
  if (value?.lockVersion !== 1 || typeof value.resources !== "object") {
    throw new Error(
      `${file} is not a mesh-codegen lock file (lockVersion: 1); delete it only if nothing was published yet`,
    );
  }
  if (value.api !== api) {
    throw new Error(
      `${file} belongs to API ${String(value.api)}, not ${api}; give each API its own --lock file`,
    );
  }
  return value as LockFile;
}
