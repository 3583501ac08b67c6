import { describe, expect, it } from "vitest";
import { KubeApiError, toApiError } from "../transport/kube-client.js";
import { consumerMessage } from "./consumer-message.js";
import { TerminalError } from "./errors.js";

const VW = "https://10.0.0.5:6443/services/apiexport/root:providers:db/databases.example.io/clusters/2x9k";
const SA = "system:serviceaccount:default:db-provider";

describe("consumerMessage", () => {
  it("says which request was refused, without URL, identity or permission text", () => {
    const body = JSON.stringify({
      kind: "Status",
      reason: "Forbidden",
      message: `databases.example.io "db1" is forbidden: User "${SA}" cannot patch resource "databases/status"`,
    });
    const err = toApiError(
      403,
      body,
      "PATCH",
      `${VW}/apis/example.io/v1/namespaces/ns1/databases/db1/status`,
    );
    expect(consumerMessage(err)).toBe(
      `the provider's request to update the status of databases "db1" in namespace "ns1" was refused: 403 Forbidden`,
    );
    expect(consumerMessage(new KubeApiError(401, "Unauthorized", "x", "GET", "/weird"))).toBe(
      "the provider's request was refused: 401 Unauthorized",
    );
  });

  it("keeps the Status message of other failures, scrubbed", () => {
    const msg = 'Operation cannot be fulfilled on databases.example.io "db1": the object has been modified';
    const err = new KubeApiError(409, "Conflict", msg, "PUT", `${VW}/apis/example.io/v1/databases/db1`);
    expect(consumerMessage(err)).toBe(
      `the provider's request to update databases "db1" failed: 409 Conflict: ${msg}`,
    );
    const list = new KubeApiError(
      500,
      "InternalError",
      `calling ${VW}/x as ${SA}`,
      "GET",
      `${VW}/api/v1/secrets`,
    );
    expect(consumerMessage(list)).toBe(
      "the provider's request to list secrets failed: 500 InternalError: calling [URL] as [identity]",
    );
  });

  it("describes a request deadline and connection failures without hosts", () => {
    const timeout = Object.assign(new Error(`GET ${VW}/api/v1/secrets/s: no answer`), {
      name: "KubeTimeoutError",
      method: "GET",
      url: `${VW}/api/v1/namespaces/ns/secrets/s`,
      timeoutMs: 30000,
    });
    expect(consumerMessage(timeout)).toBe(
      `the provider's request to read secrets "s" in namespace "ns" got no answer within 30000 ms`,
    );
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED 10.1.2.3:5432"), { code: "ECONNREFUSED" }),
    });
    expect(consumerMessage(refused)).toBe(
      "the provider could not reach a service it depends on (ECONNREFUSED)",
    );
  });

  it("scrubs any message: URLs, identities, addresses, tokens", () => {
    const err = new Error(
      `GET ${VW}/x as User "alice@corp" (${SA}) via db.internal:5432 with Authorization: Bearer abc and token=xyz`,
    );
    const text = consumerMessage(err);
    for (const leak of [
      "https://",
      "services/apiexport",
      "alice",
      "serviceaccount",
      "db.internal",
      "abc",
      "xyz",
    ]) {
      expect(text, leak).not.toContain(leak);
    }
    expect(consumerMessage(new TerminalError("size 7 is not offered"))).toBe("size 7 is not offered");
    expect(consumerMessage(new Error("spec.items[0]: invalid, see [::1]:8080"))).toBe(
      "spec.items[0]: invalid, see [address]",
    );
  });

  it("turns thrown non-Errors into readable text", () => {
    expect(consumerMessage("plain words")).toBe("plain words");
    expect(consumerMessage(undefined)).toBe("handler threw undefined");
    expect(consumerMessage(null)).toBe("handler threw null");
    expect(consumerMessage(42)).toBe("handler threw 42");
    expect(consumerMessage(Symbol("sym"))).toBe("sym");
    expect(consumerMessage({ code: 7, password: "pw" })).toBe(
      'handler threw {"code":7,"password":"[REDACTED]"}',
    );
    expect(consumerMessage({ message: "like an error" })).toBe("like an error");
    expect(consumerMessage({ n: 1n })).toBe("handler threw an object with keys n");
    class Oops {}
    expect(consumerMessage(new Oops())).toBe("handler threw a Oops");
    const e = new Error("");
    expect(consumerMessage(e)).toBe("Error");
    expect(consumerMessage(new RangeError())).toBe("RangeError");
  });

  it("bounds the length", () => {
    const text = consumerMessage(new Error("x".repeat(5000)));
    expect(text).toHaveLength(1024);
    expect(text.endsWith("…")).toBe(true);
    expect(consumerMessage({ big: "y".repeat(5000) })).toHaveLength(1024);
  });
});
