/** A parsed label selector: all requirements must hold. */
export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

type Requirement =
  | { op: "=" | "!="; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "exists" | "!exists"; key: string };

/**
 * Compiles a label selector in Kubernetes syntax (`app=web,tier!=db,env in (a,b),!legacy`) or as
 * `matchLabels` (`{ app: "web" }`). Throws on a malformed selector, since a typo that silently
 * matched nothing would look like a broken watch.
 */
export function labelMatcher(selector: string | Readonly<Record<string, string>>): LabelMatcher {
  const reqs: Requirement[] =
    typeof selector === "string"
      ? parseSelector(selector)
      : Object.entries(selector).map(([key, value]) => ({ op: "=" as const, key, value }));
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

function matches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case "=":
      return has && v === r.value;
    case "!=":
      return !has || v !== r.value;
    case "in":
      return has && r.values.includes(v!);
    case "notin":
      return !has || !r.values.includes(v!);
    case "exists":
      return has;
    case "!exists":
      return !has;
  }
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const KEY = "[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?";
const VALUE = "([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?";

function parseSelector(selector: string): Requirement[] {
  return splitTopLevel(selector).map((part) => {
    let m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(part);
    if (m) return { op: m[3] === "!=" ? "!=" : "=", key: m[1]!, value: m[4] ?? "" };
    m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(part);
    if (m) {
      const values = m[4]!
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
      return { op: m[3] as "in" | "notin", key: m[1]!, values };
    }
    m = new RegExp(`^(!?)\\s*(${KEY})$`).exec(part);
    if (m) return { op: m[1] ? "!exists" : "exists", key: m[2]! };
    throw new Error(`invalid label selector "${selector}": cannot parse "${part}"`);
  });
}
