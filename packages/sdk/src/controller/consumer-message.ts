import { redact, redactString } from "../observability/redact.js";
import { KubeApiError } from "../transport/kube-client.js";

/**
 * Condition messages are read by the consumer, in the consumer's workspace. The provider's
 * internals (its virtual workspace URL, its service account, addresses of its backends, tokens)
 * are none of the consumer's business and may help an attacker; they stay in the provider's log,
 * where the full error is written. What is left says what failed, in terms of the consumer's objects.
 */

/** Longest condition message; the rest is in the provider's log. */
const MAX_LENGTH = 1024;

/** A message for an object's `Ready` condition from whatever a reconcile threw. */
export function consumerMessage(err: unknown): string {
  let text: string;
  try {
    text = scrub(describe(err)).trim();
  } catch {
    text = "reconcile failed";
  }
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

function describe(err: unknown): string {
  if (err instanceof KubeApiError) return kubeApiMessage(err);
  // Duck-typed: a request deadline (KubeTimeoutError) carries method, url and timeoutMs.
  const timeout = err as { name?: unknown; method?: unknown; url?: unknown; timeoutMs?: unknown };
  if (err instanceof Error && timeout.name === "KubeTimeoutError" && typeof timeout.url === "string") {
    return `the provider's request${target(String(timeout.method), timeout.url)} got no answer within ${timeout.timeoutMs} ms`;
  }
  if (err instanceof Error) return networkMessage(err) ?? (err.message || err.name || "Error");
  switch (typeof err) {
    case "string":
      return err || "handler threw an empty string";
    case "symbol":
      return err.description || "handler threw a symbol";
    case "function":
      return `handler threw a function ${err.name}`.trim();
    case "object":
      return err === null ? "handler threw null" : objectMessage(err);
    default:
      // undefined, number, boolean, bigint
      return `handler threw ${String(err)}`;
  }
}

function kubeApiMessage(err: KubeApiError): string {
  const status = `${err.status} ${err.reason}`.trim();
  const what = target(err.method, err.url);
  // A 401/403 text names the provider's identity and its missing permission: provider business.
  if (err.status === 401 || err.status === 403) return `the provider's request${what} was refused: ${status}`;
  // The Status message follows "<method> <url>: <status> <reason>: " (see KubeApiError).
  const prefix = `${err.method} ${err.url}: ${err.status} ${err.reason}: `;
  const detail = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : "";
  return `the provider's request${what} failed: ${status}${detail ? `: ${detail}` : ""}`;
}

const RESOURCE_PATH =
  /\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?\/?$/;
const VERBS: Record<string, string> = { POST: "create", PUT: "update", PATCH: "update", DELETE: "delete" };

/** " to update the status of widgets "w1" in namespace "ns"": the request in the consumer's terms, from its URL. */
function target(method: string, url: string): string {
  let path: string;
  let watch: boolean;
  try {
    const u = new URL(url, "http://localhost");
    path = u.pathname;
    watch = u.searchParams.get("watch") === "true" || u.searchParams.get("watch") === "1";
  } catch {
    return "";
  }
  const m = RESOURCE_PATH.exec(path);
  if (!m) return "";
  const [, ns, resource, name, sub] = m.map((s) => (s === undefined ? s : decodeURIComponent(s)));
  const verb = watch ? "watch" : (VERBS[method.toUpperCase()] ?? (name ? "read" : "list"));
  const object = `${sub ? `the ${sub} of ` : ""}${resource}${name ? ` "${name}"` : ""}`;
  return ` to ${verb} ${object}${ns ? ` in namespace "${ns}"` : ""}`;
}

// Connection failures name hosts and addresses of the provider's backends: keep only the kind.
const NETWORK_CODE = /^(?:E(?:CONN\w+|TIMEDOUT|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH|PIPE)|UND_ERR_\w+)$/;
const TLS_CODE = /^(?:ERR_TLS_\w+|ERR_SSL_\w+|CERT_\w+|\w*SELF_SIGNED\w*|UNABLE_TO_\w+)$/;

function networkMessage(err: Error): string | undefined {
  for (let e: unknown = err, i = 0; e instanceof Error && i < 5; e = e.cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (NETWORK_CODE.test(code)) return `the provider could not reach a service it depends on (${code})`;
    if (TLS_CODE.test(code))
      return `the provider could not connect securely to a service it depends on (${code})`;
  }
  return undefined;
}

function objectMessage(o: object): string {
  const message = (o as { message?: unknown }).message;
  if (typeof message === "string" && message) return message;
  const kind = o.constructor?.name && o.constructor.name !== "Object" ? ` ${o.constructor.name}` : "";
  let json: string | undefined;
  try {
    json = JSON.stringify(redact(o));
  } catch {
    // e.g. a bigint inside
  }
  if (json && json !== "{}") return `handler threw${kind} ${json}`;
  const keys = Object.keys(o);
  if (kind) return `handler threw a${kind}`;
  return keys.length
    ? `handler threw an object with keys ${keys.slice(0, 10).join(", ")}`
    : "handler threw {}";
}

const IDENTITY = /\b(?:user|group|service ?account)\s+"[^"]*"|\bsystem:[\w:.@-]+/gi;
// Anchored and bounded, as in redact.ts, so that a long word costs linear time.
const URL_TEXT = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}:\/\/[^\s"'<>]+/gi;
const ADDRESS =
  /\[[0-9a-f.]*:[0-9a-f:.]*\](?::\d+)?|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|(?<![\w.-])[\w-]{1,63}(?:\.[\w-]{1,63}){1,10}:\d{2,5}\b/gi;

/** Removes credentials, URLs, identities and addresses from any text bound for a consumer. */
function scrub(text: string): string {
  return redactString(text)
    .replace(URL_TEXT, "[URL]")
    .replace(IDENTITY, "[identity]")
    .replace(ADDRESS, "[address]");
}
