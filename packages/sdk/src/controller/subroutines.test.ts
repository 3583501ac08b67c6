import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ReconcileContext } from "./reconcile-types.js";
import { subroutines } from "./subroutines.js";

const ctx = {
  workspace: "ws",
  log: pino({ level: "silent" }),
  signal: new AbortController().signal,
  reconcileId: "r",
} as unknown as ReconcileContext;

interface S {
  host: string;
  secret: string;
}

describe("subroutines", () => {
  it("runs steps in order, merges their status and gives each a condition", async () => {
    const { handler } = subroutines<{ n: number }, S>([
      { name: "Provisioned", process: async () => ({ result: "ok", status: { host: "db.local" } }) },
      {
        name: "SecretWritten",
        process: async (_o, _c, s) => ({ result: "ok", status: { secret: `for-${s.host}` } }),
      },
    ]);
    const out = await handler({ n: 1 }, ctx);
    expect(out.status).toEqual({ host: "db.local", secret: "for-db.local" });
    expect(out.conditions?.map((c) => [c.type, c.status])).toEqual([
      ["Provisioned", "True"],
      ["SecretWritten", "True"],
    ]);
    expect(out.ready).toBeUndefined();
  });

  it("stops at a pending step: Ready Unknown with the step's reason, a retry, later steps not run", async () => {
    let ran = false;
    const { handler } = subroutines<object, S>([
      { name: "Provisioned", process: async () => ({ result: "ok", status: { host: "h" } }) },
      {
        name: "SecretRead",
        process: async () => ({
          result: "pending",
          reason: "SecretMissing",
          message: "secret db-conn not found",
          retryAfterMs: 5000,
        }),
      },
      {
        name: "Never",
        process: async () => {
          ran = true;
          return { result: "ok" };
        },
      },
    ]);
    const out = await handler({}, ctx);
    expect(ran).toBe(false);
    expect(out.status).toEqual({ host: "h" });
    expect(out.ready).toEqual({
      status: "Unknown",
      reason: "SecretMissing",
      message: "SecretRead: secret db-conn not found",
    });
    expect(out.requeueAfter).toBe(5000);
  });

  it("a stop makes Ready False without a retry; an error names the step", async () => {
    const stop = subroutines<object, S>([
      { name: "Validated", process: async () => ({ result: "stop", reason: "Forbidden", message: "no" }) },
    ]);
    const out = await stop.handler({}, ctx);
    expect(out.ready).toMatchObject({ status: "False", reason: "Forbidden" });
    expect(out.requeueAfter).toBeUndefined();
    const fail = subroutines<object, S>([
      {
        name: "Provisioned",
        process: async () => {
          throw new Error("quota exceeded");
        },
      },
    ]);
    await expect(fail.handler({}, ctx)).rejects.toThrow("Provisioned: quota exceeded");
  });

  it("finalizes in reverse order", async () => {
    const order: string[] = [];
    const { finalize } = subroutines<object, S>([
      { name: "A", process: async () => ({ result: "ok" }), finalize: async () => void order.push("A") },
      { name: "B", process: async () => ({ result: "ok" }) },
      { name: "C", process: async () => ({ result: "ok" }), finalize: async () => void order.push("C") },
    ]);
    await finalize!({}, ctx);
    expect(order).toEqual(["C", "A"]);
  });
});
