import type { DestinationStream } from "pino";

/*
 * Readable log lines for a person at a terminal:
 *
 *   14:41:07.123 INFO  [httpbin] 1x2y3z default/hello  endpoint serving  url=http://127.0.0.1:41237
 *
 * time, level, the provider, the object's workspace and namespace/name, the message, then the other
 * fields as key=value. A small formatter of pino's JSON lines (after redaction, which happens before
 * a line is serialized), rather than pino-pretty: that adds a dozen packages and a worker thread to
 * every provider for something only a terminal needs.
 */

type Line = Record<string, unknown>;

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: "TRACE", color: "\x1b[90m" },
  20: { name: "DEBUG", color: "\x1b[36m" },
  30: { name: "INFO", color: "\x1b[32m" },
  40: { name: "WARN", color: "\x1b[33m" },
  50: { name: "ERROR", color: "\x1b[31m" },
  60: { name: "FATAL", color: "\x1b[41m\x1b[97m" },
};
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";
const BOLD = "\x1b[1m";

/** Fields shown in their own column or not at all (pid, hostname and reconcileId are noise here). */
const OWN = new Set([
  "level",
  "time",
  "msg",
  "pid",
  "hostname",
  "provider",
  "workspace",
  "namespace",
  "name",
  "reconcileId",
  "v",
]);

/** `LOG_FORMAT` (`json` or `pretty`) if set, else pretty on a terminal and JSON lines otherwise. */
export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  stream: { isTTY?: boolean } = process.stdout,
): "json" | "pretty" {
  const f = env.LOG_FORMAT?.toLowerCase();
  if (f === "json" || f === "pretty") return f;
  return stream.isTTY ? "pretty" : "json";
}

function time(t: unknown): string {
  const d = typeof t === "number" || typeof t === "string" ? new Date(t) : new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function value(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  if (v instanceof Object) return JSON.stringify(v);
  return String(v);
}

/** One pino JSON line as a readable line (with ANSI colours when `color`); other text passes as it is. */
export function formatLogLine(json: string, options: { color?: boolean } = {}): string {
  let line: Line;
  try {
    line = JSON.parse(json) as Line;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  if (line === null || typeof line !== "object") return `${json.trimEnd()}\n`;
  const c = options.color ?? false;
  const paint = (code: string, s: string) => (c && s ? `${code}${s}${RESET}` : s);
  const lv = LEVELS[line.level as number] ?? { name: String(line.level ?? "LOG").toUpperCase(), color: "" };
  const parts = [paint(DIM, time(line.time)), paint(lv.color, lv.name.padEnd(5))];
  if (typeof line.provider === "string" && line.provider !== "kcp-mesh") {
    parts.push(paint(DIM, `[${line.provider.split(".")[0]}]`));
  }
  if (line.workspace !== undefined) parts.push(paint(DIM, String(line.workspace)));
  if (line.name !== undefined) {
    parts.push(
      paint(BOLD, line.namespace !== undefined ? `${line.namespace}/${line.name}` : String(line.name)),
    );
  }
  const msg = typeof line.msg === "string" ? line.msg : line.msg === undefined ? "" : value(line.msg);
  if (msg) parts.push(msg);
  const fields: string[] = [];
  let stack = "";
  for (const [k, v] of Object.entries(line)) {
    if (OWN.has(k) || v === undefined) continue;
    if ((k === "err" || k === "error") && v && typeof v === "object") {
      const e = v as { type?: string; message?: string; stack?: string };
      fields.push(`${k}=${value(`${e.type && e.type !== "Error" ? `${e.type}: ` : ""}${e.message ?? ""}`)}`);
      if ((line.level as number) >= 50 && typeof e.stack === "string") {
        stack = `\n${e.stack
          .split("\n")
          .slice(1)
          .map((s) => `    ${s.trim()}`)
          .join("\n")}`;
      }
      continue;
    }
    fields.push(`${k}=${value(v)}`);
  }
  if (fields.length > 0) parts.push(paint(DIM, fields.join(" ")));
  return `${parts.join(" ")}${paint(DIM, stack)}\n`;
}

/** A pino destination that writes {@link formatLogLine} lines to `out` (default stdout). */
export function prettyDestination(
  out: { write(s: string): unknown; isTTY?: boolean } = process.stdout,
  options: { color?: boolean } = {},
): DestinationStream {
  const color = options.color ?? (Boolean(out.isTTY) && !process.env.NO_COLOR);
  return {
    write(chunk: string) {
      // pino writes one line per call; be safe with several.
      for (const l of chunk.split("\n")) if (l) out.write(formatLogLine(l, { color }));
    },
  };
}

/** What `createLogger` writes to when not told: readable lines on a terminal, else pino's JSON stdout. */
export function defaultDestination(): DestinationStream | undefined {
  return logFormat() === "pretty" ? prettyDestination() : undefined;
}
