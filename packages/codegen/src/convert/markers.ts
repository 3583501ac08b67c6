// Private keywords the converters leave for the rewrite: facts only the zod schema knows (which
// construct it was, which patterns came from which format) that plain JSON Schema cannot say.

/** A construct the generator rejects; the value is the message (what it is and what to write instead). */
export const REJECT = "x-mesh-reject";
/** The string formats and patterns of a zod string, as {@link StringCheck}[]. */
export const STRING_CHECKS = "x-mesh-string-checks";
/** An explicit Kubernetes format written with `.meta({ format })`, which wins over zod's. */
export const EXPLICIT_FORMAT = "x-mesh-explicit-format";

/** One format or pattern check of a zod string. */
export interface StringCheck {
  /** zod's format name: `email`, `uuid`, `regex`, `starts_with`, ... */
  format: string;
  /** The regular expression zod runs for it, if any, with its flags. */
  pattern?: { source: string; flags: string };
}
/** Set on objects that reject unknown fields (`z.strictObject`, zod 3 `.strict()`), which unions need to know. */
export const STRICT = "x-mesh-strict";
