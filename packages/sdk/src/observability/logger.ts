import { type ChildLoggerOptions, type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import { defaultDestination } from "./pretty.js";
import { redact } from "./redact.js";

/*
 * How a pino line is built, and where redaction hooks in:
 * - the merge object (`log.info(obj, msg)`, `log.error({ err })`, `log.error(err)`, which pino wraps
 *   as `{ err }`) passes `formatters.log` first, then the per-key serializers: `formatters.log`
 *   redacts it whole, so serializers only ever see redacted values;
 * - the message, after printf formatting, passes the serializer named by the message key;
 * - child bindings are stringified once, when the child is made, through neither of those (pino
 *   resets `formatters.bindings` for children), so `child` itself is wrapped and inherited by every
 *   descendant (pino children are `Object.create(parent)`).
 */

type Fields = Record<string, unknown>;

/** `formatters.log` must return an object; a logged URL or Date redacts to a string. */
function redactFields(obj: unknown): Fields {
  const r = redact(obj);
  return r !== null && typeof r === "object" && !Array.isArray(r) ? (r as Fields) : { value: r };
}

/** Makes `child()` and `setBindings()` of this logger and all its descendants redact bindings. */
function guardBindings(logger: Logger): Logger {
  // pino's generic signature does not survive a wrapper; the wrapper passes everything through.
  type Child = (this: unknown, bindings: Fields, options?: ChildLoggerOptions) => unknown;
  const child = logger.child as unknown as Child;
  const setBindings = logger.setBindings;
  const guarded: Child = function (this: unknown, bindings, options) {
    return child.call(this, redactFields(bindings), options && guardOptions(options));
  };
  logger.child = guarded as unknown as Logger["child"];
  logger.setBindings = function (this: Logger, bindings: Fields) {
    setBindings.call(this, redactFields(bindings));
  };
  return logger;
}

/** A child's own `formatters.log` or serializers would replace the redacting ones: redact their output. */
function guardOptions(options: ChildLoggerOptions): ChildLoggerOptions {
  const out = { ...options };
  const log = options.formatters?.log;
  if (log) out.formatters = { ...options.formatters, log: (o) => redactFields(log(o)) };
  if (options.serializers) {
    out.serializers = Object.fromEntries(
      Object.entries(options.serializers).map(([k, s]) => [k, (v: unknown) => redact(s(v))]),
    );
  }
  return out;
}

/** A pino logger with the runtime's redaction; pass your own to `createProvider` to configure output. */
export function createLogger(
  options: {
    level?: string;
    name?: string;
    /** Where lines go; default stdout (readable lines on a terminal, JSON lines otherwise). */
    destination?: DestinationStream;
  } = {},
): Logger {
  // Not pino's `name`: log lines about an object carry the object's `name`, as controller-runtime's do.
  const opts: LoggerOptions = {
    base: { pid: process.pid, provider: options.name ?? "kcp-mesh" },
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    formatters: { log: redactFields },
    // `err` replaces pino's serializer, which would re-type the already redacted copy as "Object".
    serializers: { err: redact, msg: redact },
    hooks: {
      // Objects given as printf arguments (`log.info("%o", obj)`) are formatted into the message
      // before any serializer runs: redact them as objects, not as text.
      logMethod(args, method) {
        const redacted = args.map((a, i) => (i > 0 && typeof a === "object" && a !== null ? redact(a) : a));
        method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  };
  // Without a destination: readable lines on a terminal (LOG_FORMAT=json|pretty decides), else
  // pino's default stdout stream of JSON lines.
  const destination = options.destination ?? defaultDestination();
  return guardBindings(destination ? pino(opts, destination) : pino(opts));
}

/**
 * A redacting child of a logger handed in by the user. Pino takes no hooks in child options, so
 * objects passed as printf arguments (`%o`, `%j`) get only the text rules here.
 */
export function withRedaction(logger: Logger): Logger {
  const { errorKeySym, messageKeySym, formattersSym } = pino.symbols;
  const internals = logger as unknown as Record<symbol, unknown>;
  const errorKey = (internals[errorKeySym] as string | undefined) ?? "err";
  const messageKey = (internals[messageKeySym] as string | undefined) ?? "msg";
  const own = (internals[formattersSym] as { log?: (o: Fields) => Fields } | undefined)?.log;
  const child = logger.child(
    {},
    {
      formatters: { log: (o) => redactFields(own ? own(o as Fields) : o) },
      serializers: { err: redact, [errorKey]: redact, [messageKey]: redact },
    },
  );
  return guardBindings(child);
}
