import { RE2JS } from "re2js";

/**
 * Why a pattern does not compile as RE2 (the syntax Kubernetes' Go regexp accepts: no lookaround, no
 * backreferences), or undefined when it does.
 */
export function re2Error(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** A JavaScript RegExp's source and flags as one RE2 pattern (`i` → `(?i)`); flags RE2 lacks are ignored. */
export function toRe2Pattern(source: string, flags: string): string {
  const inline = [...flags].filter((f) => f === "i" || f === "m" || f === "s").join("");
  return inline ? `(?${inline})${source}` : source;
}
