import { describe, expect, it } from "vitest";
import { KubeApiError } from "../transport/kube-client.js";
import { PendingError, TerminalError } from "./errors.js";
import { conditionsAfter, errorOutcome } from "./outcome.js";

describe("errorOutcome", () => {
  it("TerminalError: Ready=False with its reason, forgotten (no retry), not counted as an error", () => {
    const out = errorOutcome(new TerminalError("size 7 is not offered", "UnsupportedSize"));
    expect(out).toMatchObject({
      result: "terminal_error",
      ready: { type: "Ready", status: "False", reason: "UnsupportedSize", message: "size 7 is not offered" },
      queue: { kind: "forget" },
      countsAsError: false,
    });
  });

  it("PendingError: Ready=Unknown, looked at again after its delay", () => {
    const out = errorOutcome(new PendingError("waiting for the Secret", "SecretMissing", 2_000));
    expect(out).toMatchObject({
      result: "requeue_after",
      ready: { status: "Unknown", reason: "SecretMissing" },
      queue: { kind: "after", ms: 2_000 },
      countsAsError: false,
    });
  });

  it("anything else: ReconcileError with backoff, counted, and a message in the consumer's terms", () => {
    const err = new KubeApiError(
      403,
      "Forbidden",
      'things "t" is forbidden: User "system:serviceaccount:default:p" cannot patch',
      "PATCH",
      "https://127.0.0.1:6443/services/apiexport/abc/x.io/clusters/ws/apis/x.io/v1/namespaces/n/things/t/status",
    );
    const out = errorOutcome(err);
    expect(out).toMatchObject({ result: "error", queue: { kind: "backoff" }, countsAsError: true });
    expect(out.ready.reason).toBe("ReconcileError");
    expect(out.ready.message).not.toMatch(/127\.0\.0\.1|serviceaccount|services\/apiexport/);
    expect(errorOutcome({ code: 7 }).ready.message).not.toBe("[object Object]");
  });
});

describe("conditionsAfter", () => {
  it("keeps the current conditions, merges extras, sets Ready with the generation", () => {
    const current = { conditions: [{ type: "Other", status: "True", lastTransitionTime: "t0" }] };
    const out = conditionsAfter(
      current,
      3,
      undefined,
      [{ type: "Db", status: "True" }],
      {
        type: "Ready",
        status: "True",
        reason: "Reconciled",
      },
      true,
    );
    expect(out.map((c) => [c.type, c.status, c.observedGeneration])).toEqual([
      ["Other", "True", undefined],
      ["Db", "True", 3],
      ["Ready", "True", 3],
    ]);
    expect(conditionsAfter(current, 3, [], undefined, { type: "Ready", status: "True" }, false)).toEqual([]);
  });
});
