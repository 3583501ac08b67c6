import { hostname } from "node:os";
import type { Logger } from "pino";
import { KubeApiError, type KubeClient } from "../transport/kube-client.js";
import { microTime } from "../util/kube-time.js";

/** The Lease a {@link LeaderElector} competes for, and its timings. */
export interface LeaderElectionOptions {
  /** Client for the provider's workspace, where the Lease lives. */
  client: KubeClient;
  /** Lease name, e.g. `<export>-provider`. */
  name: string;
  namespace?: string;
  /** This replica's identity; default hostname + pid. */
  identity?: string;
  /** How long a lease is valid without renewal; default 15 s (client-go). */
  leaseDurationMs?: number;
  /** How often to try to acquire or renew; default 2 s (client-go). */
  retryPeriodMs?: number;
  /** How long renewals may fail before leadership is given up; default 10 s (client-go). */
  renewDeadlineMs?: number;
  logger?: Logger;
}

interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/**
 * Leader election with a coordination.k8s.io Lease in the provider's workspace, so two replicas
 * of a provider can run and only one reconciles. `run` resolves once this replica leads, and
 * `onLost` fires if it stops leading (the provider then stops, as controller-runtime does: a
 * replica that lost its lease must not write any more).
 */
export class LeaderElector {
  readonly identity: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private leading = false;
  private stopped = false;
  private readonly durationMs: number;
  private readonly retryMs: number;
  private readonly path: string;

  constructor(private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? `${hostname()}_${process.pid}`;
    this.durationMs = options.leaseDurationMs ?? 15_000;
    this.retryMs = options.retryPeriodMs ?? 2_000;
    const ns = options.namespace ?? "default";
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Waits until this replica holds the lease, then keeps renewing it; `onLost` fires on loss. */
  async run(onLost: () => void, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.stopped || signal?.aborted)
        throw new Error("leader election stopped before acquiring the lease");
      const acquired = await this.tryAcquireOrRenew().catch((err: unknown) => {
        // A standby keeps trying through API errors; each request has its own deadline.
        this.options.logger?.warn(
          { err, lease: this.options.name },
          "could not read or take the lease; retrying",
        );
        return false;
      });
      if (acquired) break;
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
    this.options.logger?.info({ lease: this.options.name, identity: this.identity }, "acquired leadership");
    const deadlineMs = this.options.renewDeadlineMs ?? 10_000;
    let lastRenewal = Date.now();
    const renew = async () => {
      if (this.stopped) return;
      // A transient API error is retried until the renew deadline; losing the lease to another
      // holder counts as the same, since that holder will not give it back.
      const ok = await this.tryAcquireOrRenew().catch(() => false);
      if (ok) lastRenewal = Date.now();
      if (!ok && !this.stopped && Date.now() - lastRenewal > deadlineMs) {
        this.leading = false;
        this.options.logger?.error({ lease: this.options.name }, "lost leadership");
        onLost();
        return;
      }
      this.timer = setTimeout(renew, this.retryMs);
    };
    this.timer = setTimeout(renew, this.retryMs);
  }

  /** Stops renewing and releases the lease so another replica takes over at once. */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    const lease = await this.options.client.get<Lease>(`${this.path}/${this.options.name}`);
    if (lease?.spec.holderIdentity !== this.identity) return;
    await this.options.client
      .request({
        method: "PUT",
        path: `${this.path}/${this.options.name}`,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1 } },
      })
      .catch(() => undefined);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const name = this.options.name;
    const seconds = Math.ceil(this.durationMs / 1000);
    const existing = await this.options.client.get<Lease>(`${this.path}/${name}`);
    try {
      if (!existing) {
        await this.options.client.request({
          method: "POST",
          path: this.path,
          body: {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name, namespace: this.path.split("/")[5] },
            spec: {
              holderIdentity: this.identity,
              leaseDurationSeconds: seconds,
              acquireTime: microTime(now),
              renewTime: microTime(now),
              leaseTransitions: 0,
            },
          },
        });
        this.leading = true;
        return true;
      }
      const holder = existing.spec.holderIdentity;
      const renewed = existing.spec.renewTime ? Date.parse(existing.spec.renewTime) : 0;
      const expired = renewed + (existing.spec.leaseDurationSeconds ?? seconds) * 1000 < now.getTime();
      if (holder && holder !== this.identity && !expired) return false;
      const takingOver = holder !== this.identity;
      await this.options.client.request({
        method: "PUT",
        path: `${this.path}/${name}`,
        body: {
          ...existing,
          spec: {
            ...existing.spec,
            holderIdentity: this.identity,
            leaseDurationSeconds: seconds,
            renewTime: microTime(now),
            ...(takingOver && {
              acquireTime: microTime(now),
              leaseTransitions: (existing.spec.leaseTransitions ?? 0) + 1,
            }),
          },
        },
      });
      this.leading = true;
      return true;
    } catch (err) {
      // Someone else wrote the lease first: not an error, just not us this round.
      if (err instanceof KubeApiError && (err.status === 409 || err.status === 422)) return false;
      throw err;
    }
  }
}
