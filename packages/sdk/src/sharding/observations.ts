import type { Lease } from "./leases.js";

/**
 * When each Lease was last seen to change, by this process's clock. A Lease is expired once it has
 * not changed for its duration as observed here (client-go's rule): replicas' clocks need not
 * agree, and a Lease seen for the first time counts as just renewed, so a replica that starts
 * never takes over a Lease before its holder had a full duration to renew it.
 */
export class Observations {
  private readonly seen = new Map<string, { version: string; at: number }>();

  /** Records the Leases of one list (or one own write) at local time `now`. */
  observe(leases: Iterable<Lease>, now: number): void {
    for (const lease of leases) {
      const version = lease.metadata.resourceVersion ?? "";
      const prev = this.seen.get(lease.metadata.name);
      if (prev?.version !== version) this.seen.set(lease.metadata.name, { version, at: now });
    }
  }

  /** Forgets Leases that were not in a full list. */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.seen.keys()) if (!names.has(name)) this.seen.delete(name);
  }

  /** Whether `lease` has a holder that renewed it within its duration, as observed. */
  held(lease: Lease | undefined, now: number): boolean {
    if (!lease?.spec.holderIdentity) return false;
    const at = this.seen.get(lease.metadata.name)?.at ?? now;
    return now - at < (lease.spec.leaseDurationSeconds ?? 0) * 1000;
  }
}
