import { EXPLICIT_FORMAT, STRING_CHECKS, type StringCheck } from "../convert/markers.js";
import type { ProblemSink } from "../problems.js";
import type { JsonSchema } from "./json-schema.js";
import { re2Error, toRe2Pattern } from "./re2.js";

/** zod string formats that Kubernetes checks itself, with the format name it knows them by. */
const K8S_FORMAT: Record<string, string> = {
  email: "email",
  url: "uri",
  uuid: "uuid",
  datetime: "date-time",
  date: "date",
  ipv4: "ipv4",
  ipv6: "ipv6",
  cidrv4: "cidr",
  cidrv6: "cidr",
  base64: "byte",
  hostname: "hostname",
  mac: "mac",
};

/** zod formats that mean something else to Kubernetes, or that only JavaScript can check. */
const REJECTED_FORMAT: Record<string, string> = {
  duration:
    "z.iso.duration() is ISO 8601 (PT1H30M) but format duration means Go's syntax (1h30m) to Kubernetes; write goDuration() from @kcp-mesh/sdk/api for Go durations, or z.string().regex(...) with an RE2 pattern for ISO 8601",
  jwt: "z.jwt() is checked by JavaScript code Kubernetes cannot run; write z.string() and verify the token in your handler",
  json_string: "z.json() strings are checked by JavaScript code Kubernetes cannot run; write z.string()",
};

/**
 * Turns the format and pattern checks of a zod string into what Kubernetes enforces: a format it
 * knows, and patterns that compile as RE2. A format's own zod pattern that RE2 cannot compile is
 * dropped when Kubernetes checks the format itself; anywhere else it is an error.
 */
export function applyStringChecks(node: JsonSchema, path: string, sink: ProblemSink): void {
  const checks = node[STRING_CHECKS] as StringCheck[] | undefined;
  const explicit = node[EXPLICIT_FORMAT] as string | undefined;
  delete node[STRING_CHECKS];
  delete node[EXPLICIT_FORMAT];
  if (!checks) return;
  delete node.format;
  delete node.pattern;
  if (node.allOf?.every((s) => Object.keys(s).every((k) => k === "type" || k === "pattern")))
    delete node.allOf;

  const patterns: string[] = [];
  const formats = new Set<string>();
  for (const check of checks) {
    const rejected = REJECTED_FORMAT[check.format];
    if (rejected && !explicit) {
      sink.error(path, rejected);
      continue;
    }
    const k8s = K8S_FORMAT[check.format];
    if (k8s) formats.add(k8s);
    if (!check.pattern) {
      if (!k8s && !rejected) {
        sink.error(
          path,
          `zod's ${check.format} check has no pattern or format Kubernetes knows, so kcp could not enforce it; write z.string().regex(...) with an RE2 pattern instead`,
        );
      }
      continue;
    }
    const pattern = toRe2Pattern(check.pattern.source, check.pattern.flags);
    const err = re2Error(pattern);
    if (!err) patterns.push(pattern);
    else if (!k8s) {
      const what = check.format === "regex" ? "pattern" : `zod's ${check.format} pattern`;
      sink.error(
        path,
        `${what} /${check.pattern.source}/ is not RE2, which Kubernetes uses (${err}); rewrite it without lookaround or backreferences`,
      );
    }
  }
  if (explicit) node.format = explicit;
  else if (formats.size > 1) {
    sink.error(path, `the string has several formats (${[...formats].join(", ")}); Kubernetes allows one`);
  } else if (formats.size === 1) node.format = [...formats][0]!;
  const unique = [...new Set(patterns)];
  if (unique.length === 1) node.pattern = unique[0]!;
  else if (unique.length > 1) node.allOf = [...(node.allOf ?? []), ...unique.map((pattern) => ({ pattern }))];
}
