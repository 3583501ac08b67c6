/**
 * Rule-based redaction for anything the runtime logs. A path list (`data`, `*.data`, ...) only
 * covers the shapes someone thought of; Secrets turn up at any depth (in watch events, lists,
 * error props), and credentials under whatever key a library picked. So values are censored by
 * what they are, wherever they sit.
 */

/** What a censored value becomes. */
export const REDACTED = "[REDACTED]";

/** Deep enough for a Kubernetes object inside an error inside a log field; deeper is cut, not printed. */
const MAX_DEPTH = 16;
/** Objects copied per call, so that logging a socket or a huge list costs bounded time. */
const MAX_NODES = 10_000;

const SENSITIVE_KEY =
  /token|passw(?:or)?d|passphrase|authorization|cookie|credential|kubeconfig|(?:api|access|secret|private|client)[-_]?key|client[-_]?secret|^secret$/i;
/** Keys that name or point at a credential rather than hold one (`tokenRef`, `passwordSecretName`, `tokenFile`). */
const REFERENCE_KEY = /(?:ref|name|path|file|type|kind)$/i;

/** Whether a value under this key is a credential (`apiToken`, `Authorization`, `access_token`, `client-key-data`). */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) && !REFERENCE_KEY.test(key);
}

// `key=value`, `key: value`, `"key":"value"` in free text (query strings, dumped headers, JSON in a
// message). The key must contain a sensitive word so that a harmless pair ("error: token=x") cannot
// swallow the sensitive one after it; isSensitiveKey then drops references like `secretName=db`.
// Quantifiers that could start anywhere inside a long word are bounded and anchored at the word's
// start: unbounded, a 20 kB base64 string took a second.
const KEY_VALUE =
  /(?<![\w-])([\w-]{0,40}?(?:token|passw(?:or)?d|passphrase|authorization|cookie|credential|kubeconfig|secret|api[-_]?key)[\w-]{0,40})("?\s*[=:]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|(?:bearer\s+|basic\s+)?[^\s"'&,;]+)/gi;
const BEARER = /\b(bearer)\s+[\w\-.~+/]+=*/gi;
// `Basic` is a common word: only censor what could be base64 of `user:password`.
const BASIC = /\bBasic\s+([A-Za-z0-9+/]{6,}={0,2})(?![\w+/=])/g;
const URL_USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/gi;

/** Censors credentials in free text: bearer/basic auth, `token=...`-like pairs, passwords in URLs. */
export function redactString(s: string): string {
  return s
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(KEY_VALUE, (m, key: string, sep: string, value: string) => {
      if (!isSensitiveKey(key)) return m;
      const q = value[0] === '"' || value[0] === "'" ? value[0] : "";
      return `${key}${sep}${q}${REDACTED}${q}`;
    })
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(BASIC, (m, cred: string) => (cred.length % 4 === 0 ? `Basic ${REDACTED}` : m));
}

/**
 * A redacted deep copy of `value`, safe to serialize: Secret payloads, values under credential
 * keys and credentials in strings censored; Errors turned into plain objects (type, message,
 * stack, cause and own props); cycles and excessive depth cut. Never throws.
 */
export function redact(value: unknown): unknown {
  try {
    return copy(value, 0, { ancestors: new Set(), left: MAX_NODES }, false);
  } catch {
    return "[Unserializable]";
  }
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * kind Secret, or a kind-less object that looks like one (items of a list answer carry no kind):
 * a `type` (Opaque, kubernetes.io/...), metadata and a payload. ConfigMaps have no `type`.
 */
function isSecretShaped(o: Record<string, unknown>): boolean {
  if (o.kind === "Secret") return true;
  return (
    o.kind === undefined &&
    typeof o.type === "string" &&
    typeof o.metadata === "object" &&
    ("data" in o || "stringData" in o)
  );
}

interface Walk {
  ancestors: Set<object>;
  left: number;
}

function copy(value: unknown, depth: number, walk: Walk, secret: boolean): unknown {
  if (typeof value === "string") return redactString(value);
  if (typeof value !== "object" || value === null) return value;
  const { ancestors } = walk;
  if (ancestors.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH || --walk.left < 0) return "[Truncated]";
  // Raw bytes may be key material (TLS keys are read into Buffers); their size is what helps.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `[${value.constructor.name} ${value.byteLength} bytes]`;
  }
  ancestors.add(value);
  try {
    const next = (v: unknown, forceSecret = false) => copy(v, depth + 1, walk, forceSecret);
    if (value instanceof Error) return copyError(value, next);
    if (Array.isArray(value)) return value.map((v) => next(v));
    if (value instanceof Map) return copyProps(Object.fromEntries(value), next, false);
    if (value instanceof Set) return [...value].map((v) => next(v));
    // What JSON.stringify would print (Date, URL, ...), redacted in turn.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return next(toJSON.call(value));
    const o = value as Record<string, unknown>;
    return copyProps(o, next, secret || isSecretShaped(o));
  } finally {
    ancestors.delete(value);
  }
}

type Next = (v: unknown, forceSecret?: boolean) => unknown;

function copyProps(o: Record<string, unknown>, next: Next, secret: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    let v: unknown;
    try {
      v = o[key];
    } catch {
      v = "[Unreadable]";
    }
    if (isSensitiveKey(key) && v !== null && v !== undefined && typeof v !== "boolean") out[key] = REDACTED;
    else if (secret && (key === "data" || key === "stringData")) out[key] = censorValues(v);
    // Items of a list answer carry no kind of their own.
    else if (key === "items" && o.kind === "SecretList" && Array.isArray(v))
      out[key] = v.map((i) => next(i, true));
    else out[key] = next(v);
  }
  // kubectl apply keeps the whole Secret, payload included, in this annotation.
  const annotations = (out.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
  if (secret && annotations && typeof annotations === "object" && LAST_APPLIED in annotations) {
    annotations[LAST_APPLIED] = REDACTED;
  }
  return out;
}

/** Keeps a Secret's keys (which key is missing is worth logging) and censors every value. */
function censorValues(v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v !== "object" || Array.isArray(v)) return REDACTED;
  return Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
}

/** The shape of pino's err serializer (type, message, stack, own props), plus cause and errors. */
function copyError(err: Error, next: Next): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: err.name || err.constructor?.name || "Error",
    message: next(String(err.message)),
    stack: typeof err.stack === "string" ? next(err.stack) : undefined,
  };
  const props = copyProps(err as unknown as Record<string, unknown>, next, false);
  delete props.name;
  delete props.message;
  delete props.stack;
  Object.assign(out, props);
  // Not enumerable when set by the Error constructor, yet often where the real reason is.
  if (err.cause !== undefined && !("cause" in props)) out.cause = next(err.cause);
  if (err instanceof AggregateError && !("errors" in props)) out.errors = next(err.errors);
  return out;
}
