import type { Logger } from "pino";
import { type Lease, type LeaseStore, ROLE_LABEL } from "./leases.js";
import type { ShardingMetrics } from "./metrics.js";
import type { Observations } from "./observations.js";
import type { LeaseNames } from "./peers.js";

/**
 * This replica's peer Lease: written every round while the replica takes part, given up first
 * when it leaves (so the others recompute without waiting for it to expire), and the list of live
 * peers that rendezvous hashing runs over.
 */
export class PeerAnnouncement {
  /** Whether the peer Lease was written at least once: before that the replica owns nothing. */
  announced = false;
  private lease: Lease | undefined;

  constructor(
    private readonly o: {
      identity: string;
      names: LeaseNames;
      store: LeaseStore;
      durationMs: number;
      metrics: ShardingMetrics;
      log: Logger;
      /** Counts a Lease write and runs it. */
      write: <T>(role: "peer" | "bucket", fn: () => Promise<T>) => Promise<T>;
    },
  ) {}

  /** Renews the peer Lease (`current`: as last listed), or gives it up when `leaving`. */
  async announce(current: Lease | undefined, leaving: boolean): Promise<void> {
    const { identity, store, metrics } = this.o;
    if (leaving) {
      if (this.lease?.spec.holderIdentity === identity && current) {
        this.lease = undefined;
        await this.o.write("peer", () => store.release(current)).catch(() => undefined);
      }
      return;
    }
    try {
      const written = await this.o.write("peer", () =>
        store.hold(this.o.names.peer(identity), "peer", identity, this.o.durationMs / 1000, current),
      );
      if (written) {
        this.lease = written;
        if (!this.announced) this.o.log.info({ replica: identity }, "joined the sharding group");
        this.announced = true;
      } else metrics.renewFailures.inc({ lease: "peer" });
    } catch (err) {
      metrics.renewFailures.inc({ lease: "peer" });
      this.o.log.warn({ err }, "could not renew this replica's peer Lease");
    }
  }

  /** Live peers, sorted: announced and renewed within their duration as observed; not this one when `leaving`. */
  live(leases: Map<string, Lease>, seen: Observations, now: number, leaving: boolean): string[] {
    const peers = new Set<string>();
    for (const lease of leases.values()) {
      if (lease.metadata.labels?.[ROLE_LABEL] !== "peer") continue;
      if (seen.held(lease, now)) peers.add(lease.spec.holderIdentity!);
    }
    if (this.announced && !leaving) peers.add(this.o.identity);
    else peers.delete(this.o.identity);
    return [...peers].sort();
  }

  /** Gives the peer Lease up on stop, if still ours. */
  async release(): Promise<void> {
    if (this.announced && this.lease?.spec.holderIdentity === this.o.identity) {
      const lease = this.lease;
      await this.o.write("peer", () => this.o.store.release(lease)).catch(() => undefined);
    }
  }
}
