import { Counter, Gauge, type Registry } from "../observability/prom.js";

/** Sharding's Prometheus metrics, registered on the provider's registry (prefix `kcp_mesh_sharding_`). */
export class ShardingMetrics {
  /** Engaged workspaces this replica reconciles now. */
  readonly ownedWorkspaces: Gauge<"replica">;
  /** Fencing Leases this replica holds now. */
  readonly ownedBuckets: Gauge<"replica">;
  /** Replicas this replica sees alive (itself included). */
  readonly livePeers: Gauge<"replica">;
  /** Workspaces that came to (`acquired`) or left (`released`, `lost`: fence expired) this replica. */
  readonly handovers: Counter<"direction" | "workspace">;
  /** Lease renewals that failed (API error or conflict); a fence whose renewals fail past the deadline is lost. */
  readonly renewFailures: Counter<"lease">;
  /** Lease writes (creates, renewals, releases) by role, for `rate()`: the load sharding puts on kcp. */
  readonly leaseWrites: Counter<"role">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.ownedWorkspaces = new Gauge({
      name: "kcp_mesh_sharding_owned_workspaces",
      help: "Engaged workspaces this replica owns and reconciles",
      labelNames: ["replica"],
      registers,
    });
    this.ownedBuckets = new Gauge({
      name: "kcp_mesh_sharding_owned_buckets",
      help: "Fencing Leases (buckets of workspaces) this replica holds",
      labelNames: ["replica"],
      registers,
    });
    this.livePeers = new Gauge({
      name: "kcp_mesh_sharding_live_peers",
      help: "Replicas of the sharding group this replica sees alive, itself included",
      labelNames: ["replica"],
      registers,
    });
    this.handovers = new Counter({
      name: "kcp_mesh_sharding_handovers_total",
      help: "Workspaces handed to (acquired) or away from (released; lost when the fence expired) this replica",
      labelNames: ["direction", "workspace"],
      registers,
    });
    this.renewFailures = new Counter({
      name: "kcp_mesh_sharding_lease_renew_failures_total",
      help: "Failed Lease renewals (API errors and write conflicts)",
      labelNames: ["lease"],
      registers,
    });
    this.leaseWrites = new Counter({
      name: "kcp_mesh_sharding_lease_writes_total",
      help: "Lease writes (create, renew, release) by role (peer, bucket)",
      labelNames: ["role"],
      registers,
    });
  }
}
