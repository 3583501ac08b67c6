import { KubeApiError, type KubeClient } from "../transport/kube-client.js";
import { microTime } from "../util/kube-time.js";

/** A coordination.k8s.io/v1 Lease, the fields sharding uses. */
export interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Label naming the sharding group a Lease belongs to; one LIST with it reads every peer and bucket. */
export const GROUP_LABEL = "sharding.kcp-mesh.io/group";
/** Label telling peer Leases (`peer`) from fencing Leases (`bucket`). */
export const ROLE_LABEL = "sharding.kcp-mesh.io/role";

/**
 * The Leases of one sharding group in the provider workspace. Every write is a create or an
 * update with the resourceVersion last read (optimistic concurrency): of two replicas writing the
 * same Lease at once, one gets 409 and loses that round, so a fence is never held twice.
 */
export class LeaseStore {
  private readonly path: string;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly group: string,
  ) {
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
  }

  /** Every Lease of the group (peers and buckets), by name. */
  async list(): Promise<Map<string, Lease>> {
    const res = await this.client.request<{ items: Lease[] }>({
      path: this.path,
      query: { labelSelector: `${GROUP_LABEL}=${this.group}` },
    });
    return new Map(res.items.map((l) => [l.metadata.name, l]));
  }

  /**
   * Takes or renews `name` for `holder`: creates it when `current` is undefined, else updates the
   * version read. Returns the written Lease, or `undefined` when another writer came first.
   */
  async hold(
    name: string,
    role: "peer" | "bucket",
    holder: string,
    durationSeconds: number,
    current: Lease | undefined,
  ): Promise<Lease | undefined> {
    const now = microTime(new Date());
    const takingOver = current?.spec.holderIdentity !== holder;
    const spec: Lease["spec"] = {
      ...current?.spec,
      holderIdentity: holder,
      leaseDurationSeconds: durationSeconds,
      renewTime: now,
      ...(takingOver && {
        acquireTime: now,
        leaseTransitions: (current?.spec.leaseTransitions ?? -1) + 1,
      }),
    };
    try {
      if (!current) {
        return await this.client.request<Lease>({
          method: "POST",
          path: this.path,
          body: {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: {
              name,
              namespace: this.namespace,
              labels: { [GROUP_LABEL]: this.group, [ROLE_LABEL]: role },
            },
            spec,
          },
        });
      }
      return await this.client.request<Lease>({
        method: "PUT",
        path: `${this.path}/${name}`,
        body: { ...current, spec },
      });
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 409 || err.status === 422)) return undefined;
      throw err;
    }
  }

  /** Gives `current` up (empty holder) so a successor need not wait for it to expire. */
  async release(current: Lease): Promise<void> {
    try {
      await this.client.request({
        method: "PUT",
        path: `${this.path}/${current.metadata.name}`,
        body: { ...current, spec: { ...current.spec, holderIdentity: "", renewTime: microTime(new Date()) } },
      });
    } catch (err) {
      // Someone took it over meanwhile (it had expired): it is theirs now, nothing to give up.
      if (err instanceof KubeApiError && err.status === 409) return;
      throw err;
    }
  }
}
