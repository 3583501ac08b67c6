import { hostname } from "node:os";
import type { Logger } from "pino";
import type { KubeClient } from "../transport/kube-client.js";
import { type Lease, LeaseStore } from "./leases.js";
import type { ShardingMetrics } from "./metrics.js";
import { Observations } from "./observations.js";
import { resolveSharding, type ShardingOptions } from "./options.js";
import { PeerAnnouncement } from "./peer-announcement.js";
import { LeaseNames } from "./peers.js";
import { bucketOf, ownerOf } from "./rendezvous.js";

/** What ownership needs from the provider. */
export interface OwnershipHooks {
  /** The workspaces engaged now (every replica watches them all). */
  workspaces(): Iterable<string>;
  /** These workspaces are this replica's now: reconcile their objects. */
  gained(workspaces: string[]): void;
  /**
   * These workspaces are no longer this replica's: drop their queued work and resolve once no
   * reconcile runs in them. `abort`: the fence is lost, abort running reconciles at once.
   */
  lost(workspaces: string[], abort: boolean): Promise<void>;
}

interface Held {
  lease: Lease;
  /** Local time of the last successful write, for the renew deadline. */
  renewedAt: number;
  /** Set while the bucket's reconciles drain before the Lease is given up; renewals go on meanwhile. */
  releasing?: { done: boolean };
}

/**
 * Which workspaces this replica reconciles. Every replica announces itself with a peer Lease;
 * each bucket of workspaces goes to the live peer rendezvous hashing picks, and that peer
 * reconciles the bucket's workspaces only while it holds the bucket's fencing Lease. A bucket
 * changes hands only once the old holder released the Lease (after its reconciles there returned)
 * or the Lease expired, so two replicas never reconcile one workspace at the same time.
 */
export class Ownership {
  readonly identity: string;
  private readonly names: LeaseNames;
  private readonly store: LeaseStore;
  private readonly buckets: number;
  private readonly durationMs: number;
  private readonly intervalMs: number;
  /** Past this without a successful renewal, a fence is dropped: before anyone else may take it. */
  private readonly deadlineMs: number;
  private readonly seen = new Observations();
  private readonly held = new Map<number, Held>();
  /** Buckets whose workspaces may be reconciled now: held and not being handed over. */
  private readonly active = new Set<number>();
  private readonly peer: PeerAnnouncement;
  private draining = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private livePeers = 0;
  private readonly log: Logger;

  constructor(
    private readonly options: {
      client: KubeClient;
      exportName: string;
      sharding: ShardingOptions;
      hooks: OwnershipHooks;
      metrics: ShardingMetrics;
      logger: Logger;
    },
  ) {
    const s = options.sharding;
    this.identity = s.identity ?? `${hostname()}_${process.pid}`;
    this.log = options.logger.child({ replica: this.identity });
    this.names = new LeaseNames(s.group ?? options.exportName);
    this.store = new LeaseStore(options.client, s.namespace ?? "default", this.names.group);
    ({
      buckets: this.buckets,
      durationMs: this.durationMs,
      intervalMs: this.intervalMs,
      deadlineMs: this.deadlineMs,
    } = resolveSharding(s));
    this.peer = new PeerAnnouncement({
      identity: this.identity,
      names: this.names,
      store: this.store,
      durationMs: this.durationMs,
      metrics: options.metrics,
      log: this.log,
      write: (role, fn) => this.write(role, fn),
    });
  }

  /** Whether this replica may reconcile in `workspace` now. */
  owns(workspace: string): boolean {
    return this.active.has(bucketOf(workspace, this.buckets));
  }

  /** Why this replica is not ready, or `undefined`: it has announced itself (owning nothing is fine). */
  notReady(): string | undefined {
    return this.peer.announced ? undefined : "sharding: peer Lease not written yet";
  }

  /** Starts announcing this replica and taking its buckets. */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Leaves the group: the peer Lease is given up at once so the others recompute, each bucket is
   * handed over as soon as its running reconciles returned, and nothing new is taken.
   */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.wake?.();
  }

  /** Releases every Lease still held and stops; call after the reconciles drained. */
  async stop(): Promise<void> {
    this.draining = true;
    this.stopped = true;
    this.wake?.();
    await this.loop;
    for (const [b, h] of this.held) {
      this.deactivate(b, "released");
      await this.release(b, h).catch((err: unknown) =>
        this.log.warn({ err, lease: h.lease.metadata.name }, "could not release Lease; it expires"),
      );
    }
    await this.peer.release();
    this.options.metrics.ownedBuckets.set({ replica: this.identity }, 0);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.tick().catch((err: unknown) => this.log.error({ err }, "sharding round failed"));
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One round: read every Lease of the group, renew ours, hand over and take buckets. */
  private async tick(): Promise<void> {
    const now = Date.now();
    let leases: Map<string, Lease>;
    try {
      leases = await this.store.list();
    } catch (err) {
      this.log.warn({ err }, "could not list sharding Leases; keeping what is held until the deadline");
      this.options.metrics.renewFailures.inc({ lease: "list" });
      this.enforceDeadlines(Date.now());
      return;
    }
    this.seen.observe(leases.values(), now);
    this.seen.retain(new Set(leases.keys()));
    await this.peer.announce(leases.get(this.names.peer(this.identity)), this.draining);
    const peers = this.peer.live(leases, this.seen, now, this.draining);
    this.livePeers = peers.length;
    this.options.metrics.livePeers.set({ replica: this.identity }, peers.length);
    for (let b = 0; b < this.buckets; b++) {
      if (this.stopped) return;
      const name = this.names.bucket(b);
      const lease = leases.get(name);
      const held = this.held.get(b);
      const mine = !this.draining && ownerOf(name, peers) === this.identity;
      if (held) {
        if (lease && lease.spec.holderIdentity !== this.identity) {
          // Someone took it: our renewals failed long enough for it to expire. Stop at once.
          this.fenceLost(b, held, "taken over by another replica");
          continue;
        }
        if (held.releasing?.done) {
          await this.release(b, held).catch((err: unknown) =>
            this.log.warn({ err, lease: name }, "could not release Lease; retrying next round"),
          );
          continue;
        }
        await this.renew(held, lease);
        if (!mine && !held.releasing) this.handOver(b, held);
      } else if (mine && (!this.seen.held(lease, now) || lease?.spec.holderIdentity === this.identity)) {
        // Free, expired, or ours from an earlier life of this identity (a restarted container).
        await this.acquire(b, lease);
      }
    }
    this.enforceDeadlines(Date.now());
    this.updateGauges();
  }

  private async acquire(b: number, current: Lease | undefined): Promise<void> {
    const name = this.names.bucket(b);
    const sentAt = Date.now();
    const written = await this.write("bucket", () =>
      this.store.hold(name, "bucket", this.identity, this.durationMs / 1000, current),
    ).catch((err: unknown) => {
      this.log.warn({ err, lease: name }, "could not take fencing Lease; retrying next round");
      return undefined;
    });
    if (!written) return;
    this.held.set(b, { lease: written, renewedAt: sentAt });
    this.active.add(b);
    const workspaces = this.workspacesOf(b);
    for (const workspace of workspaces)
      this.options.metrics.handovers.inc({ direction: "acquired", workspace });
    this.log.info(
      { lease: name, previous: current?.spec.holderIdentity || undefined, workspaces: workspaces.length },
      "took fencing Lease: reconciling its workspaces",
    );
    this.options.hooks.gained(workspaces);
  }

  private async renew(held: Held, current: Lease | undefined): Promise<void> {
    const name = held.lease.metadata.name;
    const sentAt = Date.now();
    const written = await this.write("bucket", () =>
      this.store.hold(name, "bucket", this.identity, this.durationMs / 1000, current ?? held.lease),
    ).catch((err: unknown) => {
      this.log.warn({ err, lease: name }, "could not renew fencing Lease");
      return undefined;
    });
    if (written) {
      held.lease = written;
      held.renewedAt = sentAt;
    } else {
      this.options.metrics.renewFailures.inc({ lease: "bucket" });
    }
  }

  /** Stops new reconciles in the bucket now and gives its Lease up once the running ones returned. */
  private handOver(b: number, held: Held): void {
    const workspaces = this.deactivate(b, "released");
    const releasing = { done: false };
    held.releasing = releasing;
    this.log.info(
      { lease: held.lease.metadata.name, workspaces: workspaces.length },
      "handing fencing Lease over: waiting for its running reconciles",
    );
    void this.options.hooks.lost(workspaces, false).finally(() => {
      releasing.done = true;
      this.wake?.();
    });
  }

  private fenceLost(b: number, held: Held, why: string): void {
    this.log.error({ lease: held.lease.metadata.name, why }, "fencing Lease lost: aborting its reconciles");
    this.held.delete(b);
    this.deactivate(b, "lost");
    // Also when a hand-over was under way: its reconciles, still given time, must abort now.
    void this.options.hooks.lost(this.workspacesOf(b), true);
  }

  /** A held bucket not renewed within the deadline is dropped before another replica may take it. */
  private enforceDeadlines(now: number): void {
    for (const [b, held] of this.held) {
      if (now - held.renewedAt > this.deadlineMs)
        this.fenceLost(b, held, "renewals failed past the deadline");
    }
  }

  private async release(b: number, held: Held): Promise<void> {
    await this.write("bucket", () => this.store.release(held.lease));
    this.held.delete(b);
    this.log.info({ lease: held.lease.metadata.name }, "released fencing Lease");
  }

  /** Takes a bucket out of `active`; returns its engaged workspaces, counted as handed over. */
  private deactivate(b: number, direction: "released" | "lost"): string[] {
    if (!this.active.delete(b)) return [];
    const workspaces = this.workspacesOf(b);
    for (const workspace of workspaces) this.options.metrics.handovers.inc({ direction, workspace });
    return workspaces;
  }

  private workspacesOf(b: number): string[] {
    return [...this.options.hooks.workspaces()].filter((ws) => bucketOf(ws, this.buckets) === b);
  }

  private updateGauges(): void {
    this.options.metrics.ownedBuckets.set({ replica: this.identity }, this.active.size);
  }

  /** Owned workspaces among `engaged`, for the gauge. */
  countOwned(engaged: Iterable<string>): number {
    let n = 0;
    for (const ws of engaged) if (this.owns(ws)) n++;
    return n;
  }

  /** Replicas seen alive at the last round. */
  get peers(): number {
    return this.livePeers;
  }

  private async write<T>(role: "peer" | "bucket", fn: () => Promise<T>): Promise<T> {
    this.options.metrics.leaseWrites.inc({ role });
    return fn();
  }
}
