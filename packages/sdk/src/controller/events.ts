import type { Logger } from "pino";
import { redactString } from "../observability/redact.js";
import { KubeApiError, type KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";

/** `Normal` for what went as planned, `Warning` for what a consumer should look at. */
export type EventType = "Normal" | "Warning";

/**
 * Records Kubernetes Events on consumers' objects (what controller-runtime's EventRecorder does),
 * so `kubectl describe` shows what the provider did. kcp serves Events to a provider only under an
 * accepted `events` permission claim (verb `create`); without one, recording is a no-op announced
 * by one log line per workspace (and tried again every 5 minutes, should the consumer accept the
 * claim). Recording never fails a reconcile.
 */
export class EventRecorder {
  /** Workspaces without the claim, and when that was learnt (looked at again after 5 minutes). */
  private readonly unavailable = new Map<string, number>();

  constructor(
    /** Reported as the event's source component. */
    private readonly component: string,
    private readonly log: Logger,
  ) {}

  async record(
    client: KubeClient,
    workspace: string,
    obj: KubeObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const since = this.unavailable.get(workspace);
    if (since !== undefined && Date.now() - since < 300_000) return;
    const namespace = obj.metadata.namespace ?? "default";
    const now = new Date().toISOString();
    try {
      await client.request({
        method: "POST",
        path: `/api/v1/namespaces/${namespace}/events`,
        body: {
          apiVersion: "v1",
          kind: "Event",
          metadata: { generateName: `${obj.metadata.name}.`, namespace },
          involvedObject: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: obj.metadata.name,
            ...(obj.metadata.namespace && { namespace: obj.metadata.namespace }),
            ...(obj.metadata.uid && { uid: obj.metadata.uid }),
            ...(obj.metadata.resourceVersion && { resourceVersion: obj.metadata.resourceVersion }),
          },
          type,
          reason,
          // A consumer reads it: no credentials, whatever the handler passed.
          message: redactString(message).slice(0, 1024),
          source: { component: this.component },
          reportingComponent: this.component,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) {
        const first = since === undefined;
        this.unavailable.set(workspace, Date.now());
        if (!first) return;
        this.log.info(
          { workspace, status: err.status },
          "events are not recorded in this workspace: the export has no accepted `events` permission claim (verb create)",
        );
        return;
      }
      this.log.warn({ err, workspace, reason }, "could not record an event");
    }
  }

  /** Forgets what was learnt about a workspace (it left; a new binding may accept the claim). */
  forget(workspace: string): void {
    this.unavailable.delete(workspace);
  }
}
