import { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import { describe, expect, it } from "vitest";
import { KubeApiError } from "../transport/kube-client.js";
import { createLogger, withRedaction } from "./logger.js";
import { isSensitiveKey, REDACTED, redact, redactString } from "./redact.js";

const secret = (name: string, value: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: "team-a" },
  type: "Opaque",
  data: { password: value },
  stringData: { username: `${value}-plain` },
});

describe("redact", () => {
  it("censors Secret payloads at any depth and keeps their keys and metadata", () => {
    const out = redact({ a: { b: { c: secret("db", "s3cr3t") } } }) as { a: { b: { c: object } } };
    expect(out.a.b.c).toEqual({
      ...secret("db", "x"),
      data: { password: REDACTED },
      stringData: { username: REDACTED },
    });
  });

  it("treats every item of a SecretList as a Secret, kind or not", () => {
    const list = { kind: "SecretList", items: [{ metadata: { name: "s1" }, data: { k: "v1" } }] };
    expect(redact({ found: list })).toEqual({
      found: { kind: "SecretList", items: [{ metadata: { name: "s1" }, data: { k: REDACTED } }] },
    });
  });

  it("recognizes a kind-less Secret by type and payload, and not a ConfigMap", () => {
    const kindless = { metadata: { name: "x" }, type: "kubernetes.io/tls", data: { "tls.key": "k" } };
    const configMap = { kind: "ConfigMap", metadata: { name: "x" }, data: { color: "blue" } };
    expect(redact(kindless)).toMatchObject({ data: { "tls.key": REDACTED } });
    expect(redact(configMap)).toEqual(configMap);
  });

  it("censors the last-applied annotation of a Secret, which holds its whole payload", () => {
    const s = secret("db", "v");
    const annotated = {
      ...s,
      metadata: {
        ...s.metadata,
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"v"}}' },
      },
    };
    expect(JSON.stringify(redact(annotated))).not.toContain('"v"');
  });

  it("censors values under credential keys but not references to credentials", () => {
    for (const key of [
      "apiToken",
      "bearerToken",
      "Authorization",
      "access_token",
      "password",
      "client-key-data",
      "clientSecret",
      "kubeconfig",
      "secret",
    ]) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of [
      "tokenRef",
      "secretName",
      "secretRef",
      "passwordSecretName",
      "tokenFile",
      "secrets",
      "name",
    ]) {
      expect(isSensitiveKey(key), key).toBe(false);
    }
    expect(redact({ apiToken: "t", tokenRef: { name: "r" }, hasToken: true, token: null })).toEqual({
      apiToken: REDACTED,
      tokenRef: { name: "r" },
      hasToken: true,
      token: null,
    });
  });

  it("censors credentials in text", () => {
    expect(redactString("sent Authorization: Bearer abc.def-1")).toBe(`sent Authorization: ${REDACTED}`);
    expect(redactString("got bearer abc")).toBe(`got bearer ${REDACTED}`);
    expect(redactString("GET /x?watch=1&access_token=abc&limit=5")).toBe(
      `GET /x?watch=1&access_token=${REDACTED}&limit=5`,
    );
    expect(redactString('{"apiToken":"a b","name":"n"}')).toBe(`{"apiToken":"${REDACTED}","name":"n"}`);
    expect(redactString("error: password=hunter2")).toBe(`error: password=${REDACTED}`);
    expect(redactString("https://admin:pw@kcp:6443/x")).toBe(`https://admin:${REDACTED}@kcp:6443/x`);
    expect(redactString("Basic dXNlcjpwYXNz")).toBe(`Basic ${REDACTED}`);
    // Not credentials: a reference, a word, a stack frame.
    for (const s of ["secretName=db", "Basic validation failed", "at file:///app/token-store.js:10:5"]) {
      expect(redactString(s)).toBe(s);
    }
  });

  it("serializes Errors with message, stack, cause and own props, all redacted", () => {
    const cause = Object.assign(new Error("inner Bearer c1"), { password: "p1" });
    const err = Object.assign(new Error("outer token=t1", { cause }), {
      request: { headers: { Authorization: "a1" } },
    });
    const out = redact({ err }) as { err: Record<string, unknown> };
    expect(out.err).toMatchObject({
      type: "Error",
      message: `outer token=${REDACTED}`,
      request: { headers: { Authorization: REDACTED } },
    });
    expect(out.err.cause).toMatchObject({ message: `inner Bearer ${REDACTED}`, password: REDACTED });
    expect(JSON.stringify(out)).not.toMatch(/c1|p1|t1|a1/);
  });

  it("keeps what a KubeApiError says except its credentials", () => {
    const err = new KubeApiError(403, "Forbidden", "nope", "GET", "https://kcp/clusters/x?token=zz");
    const out = redact(err) as Record<string, unknown>;
    expect(out).toMatchObject({ type: "KubeApiError", status: 403, reason: "Forbidden", method: "GET" });
    expect(JSON.stringify(out)).not.toContain("zz");
  });

  it("is cycle-safe, depth- and size-bounded, and never throws", () => {
    const cyclic: Record<string, unknown> = { name: "c" };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ name: "c", self: "[Circular]" });
    let deep: Record<string, unknown> = { password: "x" };
    for (let i = 0; i < 50; i++) deep = { d: deep };
    expect(JSON.stringify(redact(deep))).toContain("[Truncated]");
    const wide = Array.from({ length: 20_000 }, () => ({ token: "w" }));
    expect(JSON.stringify(redact(wide))).not.toContain('"w"');
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("no");
        },
      },
    );
    expect(redact(hostile)).toBe("[Unserializable]");
    const getter = {
      get boom() {
        throw new Error("no");
      },
    };
    expect(redact(getter)).toEqual({ boom: "[Unreadable]" });
    expect(redact({ key: Buffer.from("PRIVATE") })).toEqual({ key: "[Buffer 7 bytes]" });
    expect(redact(new Map([["token", "m"]]))).toEqual({ token: REDACTED });
  });
});

/** Every credential below; none may appear in any captured line. */
const LEAKS = [
  "deep-s3cr3t",
  "list-s3cr3t",
  "errprop-s3cr3t",
  "api-tok",
  "bearer-tok",
  "hunter2",
  "authz-val",
  "msg-bearer",
  "cause-pw",
  "binding-tok",
  "query-tok",
  "printf-s3cr3t",
];

function capture(): { sink: Writable; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  return { sink, lines };
}

/** What the runtime and handlers log: Secrets deep, in lists and in errors, token-like keys, text. */
function logEverything(log: Logger): void {
  log.info({ a: { b: { c: secret("db-creds", "deep-s3cr3t") } }, workspace: "root:orgs:acme" }, "deep");
  log.info({
    found: { kind: "SecretList", items: [{ metadata: { name: "s1" }, data: { k: "list-s3cr3t" } }] },
  });
  const err = Object.assign(
    new Error("create failed", { cause: Object.assign(new Error("inner"), { password: "cause-pw" }) }),
    {
      object: secret("app-creds", "errprop-s3cr3t"),
      request: { headers: { Authorization: "Bearer authz-val" } },
    },
  );
  log.error({ err, workspace: "root:orgs:acme" }, "reconcile failed");
  log.warn({ apiToken: "api-tok", bearerToken: "bearer-tok", user: { password: "hunter2" } }, "config");
  log.error(new Error("GET https://kcp/services/apiexport/x: sent Bearer msg-bearer"));
  log
    .child({ workspace: "root:orgs:acme", token: "binding-tok" })
    .child({ controller: "widgets" })
    .info("child");
  log.info("watching /x?access_token=query-tok");
}

describe("log redaction", () => {
  it("createLogger: no secret value in any line, names and workspaces kept", () => {
    const { sink, lines } = capture();
    const log = createLogger({ name: "p", destination: sink });
    logEverything(log);
    log.info({}, "printf %o", secret("printf", "printf-s3cr3t"));
    const text = lines.join("\n");
    for (const leak of LEAKS) expect(text, leak).not.toContain(leak);
    for (const kept of [
      "db-creds",
      "app-creds",
      "team-a",
      "root:orgs:acme",
      '"controller":"widgets"',
      "create failed",
      '"msg":"GET',
    ])
      expect(text, kept).toContain(kept);
    const errLine = JSON.parse(lines[2]!);
    expect(errLine.err).toMatchObject({
      type: "Error",
      message: "create failed",
      object: { data: { password: REDACTED } },
    });
    expect(lines).toHaveLength(8);
  });

  it("withRedaction: a user's logger, with its own keys and formatter, redacts the same", () => {
    const { sink, lines } = capture();
    const user = pino(
      { messageKey: "message", errorKey: "error", formatters: { log: (o) => ({ ...o, team: "mine" }) } },
      sink,
    );
    const log = withRedaction(user);
    logEverything(log);
    log.error({ error: new Error("x token=binding-tok") });
    const text = lines.join("\n");
    for (const leak of LEAKS) expect(text, leak).not.toContain(leak);
    for (const kept of ["db-creds", "app-creds", "root:orgs:acme", '"team":"mine"', '"message":"GET'])
      expect(text, kept).toContain(kept);
    expect(JSON.parse(lines[2]!).err).toMatchObject({ type: "Error", message: "create failed" });
  });
});
