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

/** {@link ShardingOptions} with defaults applied and checked. */
export interface ResolvedSharding {
  buckets: number;
  durationMs: number;
  intervalMs: number;
  /** Past this without a successful renewal, a fence is dropped: before anyone else may take it. */
  deadlineMs: number;
}

/** Applies the defaults; throws naming the option when a value cannot work. */
export function resolveSharding(s: ShardingOptions): ResolvedSharding {
  const buckets = s.buckets ?? 32;
  const durationMs = s.leaseDurationMs ?? 15_000;
  const intervalMs = s.renewIntervalMs ?? Math.round(durationMs / 3);
  // Two thirds: a holder whose renewals fail stops a third of a duration before anyone may take over.
  const deadlineMs = Math.round((durationMs * 2) / 3);
  if (!Number.isInteger(buckets) || buckets < 1)
    throw new Error(`sharding.buckets must be a positive integer, got ${s.buckets}`);
  if (durationMs < 1000 || durationMs % 1000 !== 0)
    throw new Error(
      `sharding.leaseDurationMs must be whole seconds, at least 1000, got ${s.leaseDurationMs}`,
    );
  if (intervalMs <= 0 || intervalMs >= deadlineMs)
    throw new Error(
      `sharding.renewIntervalMs must be below two thirds of leaseDurationMs (${deadlineMs} ms), got ${intervalMs}`,
    );
  return { buckets, durationMs, intervalMs, deadlineMs };
}
