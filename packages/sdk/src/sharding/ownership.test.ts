import { pino } from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { KubeApiError, type KubeClient, type KubeRequest } from "../transport/kube-client.js";
import type { Lease } from "./leases.js";
import { ShardingMetrics } from "./metrics.js";
import { Ownership } from "./ownership.js";

/**
 * The Lease API as the API server serves it for these requests: list by label, create (409 when
 * it exists), update (409 unless the resourceVersion matches). Enough to exercise the protocol.
 */
class FakeLeases {
  readonly leases = new Map<string, Lease>();
  private version = 0;
  failing = false;
  /** When the last write succeeded (local clock). */
  lastWrite = 0;

  client(): KubeClient {
    return { request: (req: KubeRequest) => this.request(req) } as unknown as KubeClient;
  }

  private async request(req: KubeRequest): Promise<unknown> {
    await new Promise((r) => setTimeout(r, 1));
    if (this.failing) throw new KubeApiError(503, "ServiceUnavailable", "unavailable", "GET", req.path);
    const clone = <T>(v: T): T => structuredClone(v);
    if ((req.method ?? "GET") === "GET") return { items: [...this.leases.values()].map(clone) };
    const body = clone(req.body as Lease);
    const name = body.metadata.name;
    const existing = this.leases.get(name);
    if (req.method === "POST" && existing)
      throw new KubeApiError(409, "AlreadyExists", "exists", "POST", req.path);
    if (req.method === "PUT" && existing?.metadata.resourceVersion !== body.metadata.resourceVersion)
      throw new KubeApiError(409, "Conflict", "conflict", "PUT", req.path);
    body.metadata.resourceVersion = String(++this.version);
    this.leases.set(name, body);
    this.lastWrite = Date.now();
    return clone(body);
  }
}

const running: Ownership[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((o) => o.stop()));
});

function replica(api: FakeLeases, identity: string, owned: Map<string, string>, events: string[]) {
  const workspaces = Array.from({ length: 40 }, (_, i) => `ws-${i}`);
  const o: Ownership = new Ownership({
    client: api.client(),
    exportName: "widgets.example.io",
    sharding: { identity, buckets: 16, leaseDurationMs: 1000, renewIntervalMs: 100 },
    metrics: new ShardingMetrics(new Registry()),
    logger: pino({ level: "silent" }),
    hooks: {
      workspaces: () => workspaces,
      gained: (wss) => {
        for (const ws of wss) {
          const other = owned.get(ws);
          if (other !== undefined && other !== identity)
            events.push(`${ws} gained by ${identity} while ${other} owns it`);
          owned.set(ws, identity);
        }
      },
      lost: async (wss) => {
        // A running reconcile returning, later than the next round.
        await new Promise((r) => setTimeout(r, 250));
        for (const ws of wss) if (owned.get(ws) === identity) owned.delete(ws);
      },
    },
  });
  running.push(o);
  return { o, workspaces };
}

const until = async (what: string, pred: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("Ownership", () => {
  it("splits buckets between two replicas and hands over only after the old owner let go", async () => {
    const api = new FakeLeases();
    const owned = new Map<string, string>();
    const events: string[] = [];
    const a = replica(api, "a", owned, events);
    a.o.start();
    await until("a to own everything", () => a.workspaces.every((ws) => a.o.owns(ws)));
    const b = replica(api, "b", owned, events);
    b.o.start();
    await until("b to take a share", () => b.workspaces.some((ws) => b.o.owns(ws)));
    await until("a stable split", () => a.workspaces.every((ws) => a.o.owns(ws) !== b.o.owns(ws)), 5000);
    expect(events).toEqual([]);
    expect(a.workspaces.filter((ws) => b.o.owns(ws)).length).toBeGreaterThan(5);
  });

  it("on drain gives everything up without waiting for the Leases to expire", async () => {
    const api = new FakeLeases();
    const owned = new Map<string, string>();
    const events: string[] = [];
    const a = replica(api, "a", owned, events);
    const b = replica(api, "b", owned, events);
    a.o.start();
    b.o.start();
    await until("a split", () => a.workspaces.every((ws) => a.o.owns(ws) !== b.o.owns(ws)));
    const t0 = Date.now();
    a.o.drain();
    await until("b to own everything", () => b.workspaces.every((ws) => b.o.owns(ws)));
    expect(Date.now() - t0).toBeLessThan(1000); // the lease duration
    expect(events).toEqual([]);
  });

  it("stops reconciling before its Lease can expire when renewals fail", async () => {
    const api = new FakeLeases();
    const a = replica(api, "a", new Map(), []);
    a.o.start();
    await until("a to own everything", () => a.workspaces.every((ws) => a.o.owns(ws)));
    api.failing = true;
    await until("a to drop its fences", () => a.workspaces.every((ws) => !a.o.owns(ws)));
    // Dropped past the renew deadline (2/3 of 1 s) after the last write that succeeded, before
    // another replica could see the Lease unchanged for its whole duration (1 s).
    expect(Date.now() - api.lastWrite).toBeLessThan(1000);
    api.failing = false;
  });
});
