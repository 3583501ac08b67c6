/**
 * Options of `createProvider({ sharding })`: the provider's workspaces are split among its
 * replicas, each reconciling only the workspaces it owns.
 *
 * @example
 * ```ts
 * const provider = createProvider({
 *   kubeconfig: "provider.kubeconfig",
 *   export: "widgets.example.io",
 *   // In a Deployment: the pod name, from the downward API.
 *   sharding: { identity: process.env.POD_NAME },
 * });
 * ```
 */
export interface ShardingOptions {
  /**
   * This replica's name among the replicas; it must be unique and should be stable for the life
   * of the process (a pod name). Default: hostname and pid.
   */
  identity?: string | undefined;
  /** Namespace of the Leases in the provider's workspace; default `default`. */
  namespace?: string;
  /**
   * Names the Leases (`<group>-peer-<identity>`, `<group>-bucket-<n>`) and labels them; replicas
   * with the same group share the workspaces. Default: the export name.
   */
  group?: string;
  /**
   * Fencing Leases: workspaces hash into this many buckets, and a replica holds a bucket's Lease
   * while it reconciles the bucket's workspaces. More buckets spread load more evenly and move
   * less at a time; each costs one Lease write per renewal. Default 32; set it to at least a few
   * times the largest replica count. Every replica of a group must use the same number.
   */
  buckets?: number;
  /**
   * How long a Lease stays valid without renewal (default 15 s, as client-go): the longest a dead
   * replica's workspaces wait for a new owner.
   */
  leaseDurationMs?: number;
  /** How often Leases are renewed and ownership is recomputed; default a third of the lease duration. */
  renewIntervalMs?: number;
  /**
   * When a workspace moves to another replica, how long its running reconciles may take before
   * their signal aborts (default 10 s). The Lease is given up only after they returned.
   */
  handoverTimeoutMs?: number;
}
