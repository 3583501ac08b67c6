import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";
import { formatLogLine, logFormat, prettyDestination } from "./pretty.js";
import { REDACTED } from "./redact.js";

function capture() {
  const lines: string[] = [];
  return { lines, out: { write: (s: string) => lines.push(s) } };
}

describe("readable log lines", () => {
  it("shows time, level, provider, workspace, object, message, then the other fields", () => {
    const time = new Date(2026, 0, 2, 14, 41, 7, 123).getTime();
    const line = JSON.stringify({
      level: 30,
      time,
      pid: 7,
      provider: "httpbin.examples.kcp-mesh.io",
      controller: "httpbins",
      workspace: "2x9k1",
      namespace: "default",
      name: "hello",
      reconcileId: "0b5e",
      url: "http://127.0.0.1:41237",
      msg: "endpoint serving",
    });
    expect(formatLogLine(line)).toBe(
      "14:41:07.123 INFO  [httpbin] 2x9k1 default/hello endpoint serving controller=httpbins url=http://127.0.0.1:41237\n",
    );
    expect(formatLogLine(line, { color: true })).toContain("\x1b[32mINFO \x1b[0m");
  });

  it("prints errors by message, with the stack at error level; text that is not JSON passes", () => {
    const err = {
      type: "KubeApiError",
      message: "403 Forbidden",
      stack: "KubeApiError: 403\n    at a (x.ts:1:1)\n    at b (y.ts:2:2)",
    };
    const warn = formatLogLine(JSON.stringify({ level: 40, time: 0, err, name: "c", msg: "retrying" }));
    expect(warn).toMatch(/ WARN {2}c retrying err="KubeApiError: 403 Forbidden"\n$/);
    const error = formatLogLine(JSON.stringify({ level: 50, time: 0, err, msg: "failed", attempts: 3 }));
    expect(error).toMatch(
      / ERROR failed err="KubeApiError: 403 Forbidden" attempts=3\n {4}at a \(x\.ts:1:1\)\n {4}at b \(y\.ts:2:2\)\n$/,
    );
    expect(formatLogLine("not json")).toBe("not json\n");
  });

  it("createLogger keeps redacting when it prints readable lines", () => {
    const { lines, out } = capture();
    const log = createLogger({
      name: "widgets.example.io",
      destination: prettyDestination(out, { color: false }),
    });
    log
      .child({ workspace: "ws1", name: "w", token: "s3cret" })
      .info({ password: "hunter2", replicas: 3 }, "Bearer abc.def.ghi used");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/s3cret|hunter2|abc\.def\.ghi/);
    expect(lines[0]).toContain(`password=${REDACTED}`);
    expect(lines[0]).toContain("[widgets] ws1 w ");
    expect(lines[0]).toContain("replicas=3");
  });

  it("is pretty on a terminal, JSON otherwise, and LOG_FORMAT decides when set", () => {
    expect(logFormat({}, { isTTY: true })).toBe("pretty");
    expect(logFormat({}, { isTTY: false })).toBe("json");
    expect(logFormat({}, {})).toBe("json");
    expect(logFormat({ LOG_FORMAT: "json" }, { isTTY: true })).toBe("json");
    expect(logFormat({ LOG_FORMAT: "pretty" }, { isTTY: false })).toBe("pretty");
  });
});
