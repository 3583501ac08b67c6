import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { RuntimeMetrics } from "../observability/metrics.js";
import { type ObjectRef, objectKey } from "../runtime/item.js";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import type { ValidationIssue } from "../util/validation-issue.js";
import { type Condition, type ConditionInput, READY } from "./conditions.js";
import { TerminalError } from "./errors.js";
import { EventRecorder } from "./events.js";
import { addFinalizerPatch, removeFinalizerPatch } from "./finalizers.js";
import type { ResourceCoordinates } from "./object-paths.js";
import { ObjectWrites } from "./object-writes.js";
import { conditionsAfter, errorOutcome } from "./outcome.js";
import type { CachedEntry, ReconcileContext, ReconcileResult } from "./reconcile-types.js";
import { type RetryBackoffOptions, WorkQueue } from "./work-queue.js";
import { WorkerPool } from "./worker-pool.js";

/** Options of a {@link Controller}: one resource, one handler. */
export interface ControllerOptions<Obj extends KubeObject, Status> {
  /** Name in logs and metrics, e.g. `widgets`. */
  name: string;
  resource: ResourceCoordinates;
  /** Reads the cache. */
  lookup: (key: ObjectRef) => CachedEntry | undefined;
  /** A client for a virtual workspace endpoint URL. */
  clientFor: (endpoint: string) => KubeClient;
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to report returns nothing
  handler: (obj: Obj, ctx: ReconcileContext) => Promise<ReconcileResult<Status> | undefined | void>;
  /** Cleanup on delete; when set, the runtime keeps a finalizer on every object. */
  finalize?: (obj: Obj, ctx: ReconcileContext) => Promise<void>;
  /**
   * Called for an object that fails its schema, to withdraw what the last valid version caused;
   * what it returns becomes the runtime's whole status (fields written for the valid version go).
   * Without it the last status stays and only `Ready` turns False.
   */
  onInvalid?: (
    obj: KubeObject,
    issues: readonly ValidationIssue[],
    ctx: ReconcileContext,
    // biome-ignore lint/suspicious/noConfusingVoidType: nothing to report is a valid answer
  ) => Promise<InvalidResult<Status> | undefined | void>;
  /** Finalizer name; default `<group>/<controller name>`. */
  finalizerName?: string;
  /** Checks a status before it is written; returns issues when it does not fit the schema. */
  validateStatus?: (status: unknown) => readonly ValidationIssue[] | undefined;
  /** Maintain a `Ready` condition in `status.conditions` (default true). */
  readyCondition?: boolean;
  /** Reconciles running at once (default 10). */
  concurrency?: number;
  /** Server-side apply field manager (default `kcp-mesh/<name>`). */
  fieldManager?: string;
  logger: Logger;
  metrics?: RuntimeMetrics;
  /**
   * Whether a workspace is engaged (`active`), has its binding being deleted (`terminating`: only
   * deletions are processed, nothing new is started) or is gone (`undefined`: its work is dropped).
   * Default: every workspace is active.
   */
  workspaceState?: (workspace: string) => "active" | "terminating" | undefined;
  backoff?: RetryBackoffOptions;
  /** How long to wait for the cache to show the runtime's own last write (default 5 s). */
  cacheWaitTimeoutMs?: number;
}

/** What an `onInvalid` handler returns: the status to show while the object is invalid. */
export interface InvalidResult<Status> {
  status?: Partial<Status>;
}

/** How a {@link Controller.shutdown} ended. */
export interface ShutdownResult {
  /** Keys (`workspace/namespace/name`) of reconciles still running after the drain and the grace. */
  stuck: string[];
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

function issuesMessage(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
}

/**
 * The controller: a work queue of object keys, a pool of workers, and the reconcile loop that
 * calls the handler with the current cached object (level-triggered: the event that woke it is
 * not passed on) and writes status back. See {@link ControllerOptions}.
 */
export class Controller<Obj extends KubeObject, Status> {
  readonly queue: WorkQueue<ObjectRef>;
  private readonly log: Logger;
  private readonly finalizer: string | undefined;
  private readonly pool: WorkerPool<ObjectRef>;
  /** Every write to consumers' objects, and what the next reconcile must wait to see. */
  private readonly writes: ObjectWrites;
  private readonly events: EventRecorder;
  /** Keys whose invalid spec was already logged, per generation, so it is logged once. */
  private readonly reportedInvalid = new Map<string, string>();
  /**
   * The cached resourceVersion each key's cleanup already ran on: the write that removes the last
   * finalizer deletes the object, so its answer cannot always tell the cache what to wait for, and a
   * reconcile woken meanwhile would see the old object and clean up twice.
   */
  private readonly finalizedAt = new Map<string, string>();

  constructor(private readonly opts: ControllerOptions<Obj, Status>) {
    this.log = opts.logger.child({ controller: opts.name });
    const fieldManager = opts.fieldManager ?? `kcp-mesh/${opts.name}`;
    this.events = new EventRecorder(fieldManager, this.log);
    this.writes = new ObjectWrites({
      resource: opts.resource,
      fieldManager,
      clientFor: opts.clientFor,
      lookup: opts.lookup,
      cacheWaitTimeoutMs: opts.cacheWaitTimeoutMs ?? 5_000,
      log: this.log,
    });
    this.finalizer = opts.finalize
      ? (opts.finalizerName ?? `${opts.resource.group}/${opts.name}`)
      : undefined;
    const m = opts.metrics;
    // The series exists from the start (controller-runtime reports an empty queue as 0 too).
    m?.queueDepth.set({ name: opts.name }, 0);
    this.queue = new WorkQueue<ObjectRef>({
      id: objectKey,
      workspace: (k) => k.workspace,
      ...(opts.backoff && { backoff: opts.backoff }),
      observer: m
        ? {
            onAdd: (ws) => m.queueAdds.inc({ name: opts.name, workspace: ws }),
            onDepth: (d) => m.queueDepth.set({ name: opts.name }, d),
            onGet: (_ws, waitMs) => m.queueDuration.observe({ name: opts.name }, waitMs / 1000),
            onRetry: (ws) => m.queueRetries.inc({ name: opts.name, workspace: ws }),
          }
        : {},
    });
    this.pool = new WorkerPool({
      queue: this.queue,
      id: objectKey,
      run: (key, signal) => this.process(key, signal),
      onBusy: (d) =>
        d > 0
          ? m?.activeWorkers.inc({ controller: opts.name })
          : m?.activeWorkers.dec({ controller: opts.name }),
      log: this.log,
    });
  }

  /** Reconcile this object (again). */
  enqueue(key: ObjectRef): void {
    this.queue.add(key);
  }

  /**
   * Reconcile this object because something it depends on changed. An object backing off after
   * an error keeps its backoff: its retry reads the latest state anyway, and a chatty related
   * resource must not turn the doubling delays into a tight loop.
   */
  enqueueRelated(key: ObjectRef): void {
    if (this.queue.failures(key) > 0) return;
    this.queue.add(key);
  }

  /**
   * Tells the controller the cache now holds `resourceVersion` for a key, releasing a reconcile
   * that waits to see the runtime's own last write.
   */
  observed(key: ObjectRef): void {
    this.writes.observed(key);
  }

  /** Forgets a disengaged workspace: queued work, backoff, write bookkeeping. */
  dropWorkspace(workspace: string): void {
    this.queue.dropWorkspace(workspace);
    const prefix = `${workspace}/`;
    this.writes.forgetPrefix(prefix);
    this.events.forget(workspace);
    for (const m of [this.reportedInvalid, this.finalizedAt]) {
      for (const k of m.keys()) if (k.startsWith(prefix)) m.delete(k);
    }
  }

  /**
   * Resolves once no reconcile runs in `workspace` (whose work must already be refused, e.g. by
   * `workspaceState`): a workspace handed to another replica is released only then. Running
   * reconciles get `timeoutMs`, then their signal aborts (at once with `abortNow`); a handler that
   * ignores its signal is waited for, since releasing early would let two replicas write.
   */
  async settleWorkspace(workspace: string, timeoutMs: number, abortNow = false): Promise<void> {
    await this.pool.settle(
      `${workspace}/`,
      timeoutMs,
      abortNow,
      `workspace ${workspace} handed to another replica`,
    );
  }

  /** Starts the workers. */
  start(): void {
    this.pool.start(this.opts.concurrency ?? 10);
  }

  /**
   * Stops taking work, lets running reconciles finish for up to `timeoutMs`, then aborts their
   * signals and gives them `graceMs` more. A reconcile aborted this way writes nothing, so no
   * status is half-written. Always returns: a handler that ignores its signal is reported in
   * `stuck`, not waited for.
   */
  async shutdown(timeoutMs = 30_000, graceMs = 5_000): Promise<ShutdownResult> {
    const stuck = await this.pool.drain(timeoutMs, graceMs);
    if (stuck.length > 0) {
      this.log.error(
        { stuck, graceMs },
        `${stuck.length} reconcile(s) still running after the drain timeout and the grace: their handlers ignore ctx.signal`,
      );
    }
    return { stuck };
  }

  private async process(key: ObjectRef, signal: AbortSignal): Promise<void> {
    const name = this.opts.name;
    const m = this.opts.metrics;
    const reconcileId = randomUUID();
    const log = this.log.child({
      workspace: key.workspace,
      ...(key.namespace && { namespace: key.namespace }),
      name: key.name,
      reconcileId,
    });
    const id = objectKey(key);
    const wsState = this.opts.workspaceState ? this.opts.workspaceState(key.workspace) : "active";
    if (wsState === undefined) {
      log.debug("workspace no longer engaged: dropping");
      this.queue.forget(key);
      return;
    }
    const entry = await this.writes.fresh(key);
    if (!entry) {
      // Deleted (and no finalizer of ours held it): nothing left to do.
      this.queue.forget(key);
      this.writes.forget(id);
      this.reportedInvalid.delete(id);
      this.finalizedAt.delete(id);
      return;
    }
    const start = process.hrtime.bigint();
    const obj = entry.object;
    const ctx: ReconcileContext = {
      workspace: key.workspace,
      client: this.opts.clientFor(entry.endpoint).forWorkspace(key.workspace),
      log,
      signal,
      reconcileId,
      event: (type, reason, message) =>
        this.events.record(ctx.client, key.workspace, obj, type, reason, message),
      enqueue: (ref) =>
        this.enqueue({
          workspace: key.workspace,
          ...(ref.namespace && { namespace: ref.namespace }),
          name: ref.name,
        }),
    };
    let result = "success";
    try {
      if (obj.metadata.deletionTimestamp) {
        await this.runFinalizer(key, entry, ctx);
        this.queue.forget(key);
        return;
      }
      if (wsState === "terminating") {
        // The consumer is unbinding: kcp is about to mark this object deleted; start nothing new.
        result = "skipped";
        log.debug("workspace terminating: only deletions are processed");
        this.queue.forget(key);
        return;
      }
      if (entry.issues && entry.issues.length > 0) {
        result = "invalid";
        await this.reportInvalid(key, entry, ctx);
        this.queue.forget(key);
        return;
      }
      if (this.finalizer && !obj.metadata.finalizers?.includes(this.finalizer)) {
        const finalizer = this.finalizer;
        const patched = await this.writes.patch(
          key,
          entry,
          (o) => addFinalizerPatch(o.metadata, finalizer),
          signal,
        );
        if (!patched) return;
      }
      const out = (await this.opts.handler(obj as Obj, ctx)) ?? {};
      if (signal.aborted) {
        result = "aborted";
        return;
      }
      const handlerStatus = (out.status ?? {}) as Record<string, unknown>;
      const conditions = this.conditionsFor(
        obj,
        handlerStatus.conditions,
        out.conditions,
        out.ready ? { type: READY, ...out.ready } : { type: READY, status: "True", reason: "Reconciled" },
      );
      const status = conditions.length > 0 ? { ...handlerStatus, conditions } : handlerStatus;
      // The handler's own status is checked, before the runtime adds its conditions.
      const issues = out.status !== undefined ? this.opts.validateStatus?.(out.status) : undefined;
      if (issues && issues.length > 0) {
        // The handler returned a status its own schema rejects: a bug to fix, reported plainly.
        throw new TerminalError(
          `handler returned an invalid status: ${issuesMessage(issues)}`,
          "InvalidStatus",
        );
      }
      if (out.status !== undefined || conditions.length > 0)
        await this.writes.applyStatus(key, entry, status, signal);
      this.queue.forget(key);
      if (out.requeueAfter !== undefined && out.requeueAfter > 0) {
        result = "requeue_after";
        this.queue.addAfter(key, out.requeueAfter);
      }
    } catch (err) {
      if (signal.aborted) {
        result = "aborted";
        log.warn({ err }, "reconcile aborted by shutdown; no status written");
        return;
      }
      result = await this.handleError(key, entry, err, log, signal);
    } finally {
      m?.reconcileTotal.inc({ controller: name, result, workspace: key.workspace });
      m?.reconcileTime.observe({ controller: name }, ms(start) / 1000);
      log.debug({ result, durationMs: Math.round(ms(start)) }, "reconciled");
    }
  }

  /** Applies the outcome of a failed reconcile: queue, metric, log, and the Ready condition. */
  private async handleError(
    key: ObjectRef,
    entry: CachedEntry,
    err: unknown,
    log: Logger,
    signal: AbortSignal,
  ): Promise<string> {
    const out = errorOutcome(err);
    let retryInMs: number | undefined;
    // Forgetting resets the key's backoff: only for outcomes that do not retry with it.
    if (out.queue.kind === "backoff") retryInMs = this.queue.addRateLimited(key);
    else this.queue.forget(key);
    if (out.queue.kind === "after") this.queue.addAfter(key, out.queue.ms);
    if (out.countsAsError) {
      this.opts.metrics?.reconcileErrors.inc({ controller: this.opts.name, workspace: key.workspace });
    }
    if (out.log.level === "error")
      log.error({ err, ...(retryInMs !== undefined && { retryInMs }) }, out.log.message);
    else
      log.info(
        { reason: out.ready.reason, ...(out.queue.kind === "after" && { retryAfterMs: out.queue.ms }) },
        out.log.message,
      );
    try {
      if (this.opts.readyCondition !== false) {
        await this.writes.reportConditions(
          key,
          entry,
          this.conditionsFor(entry.object, undefined, undefined, out.ready),
          signal,
        );
      }
    } catch (writeErr) {
      log.error({ err: writeErr }, "could not report the failure in status");
    }
    return out.result;
  }

  /**
   * An object that fails its schema: `Ready=False, InvalidSpec` naming the fields, logged once per
   * generation. With `onInvalid`, the provider withdraws its effect and its answer replaces the
   * runtime's whole status; without it the last valid status stays.
   */
  private async reportInvalid(key: ObjectRef, entry: CachedEntry, ctx: ReconcileContext): Promise<void> {
    const id = objectKey(key);
    const issues = entry.issues ?? [];
    const message = issuesMessage(issues);
    const gen = String(entry.object.metadata.generation ?? "");
    if (this.reportedInvalid.get(id) !== gen) {
      this.reportedInvalid.set(id, gen);
      ctx.log.warn({ issues }, `invalid ${this.opts.resource.kind}: ${message}`);
    }
    const ready: ConditionInput = { type: READY, status: "False", reason: "InvalidSpec", message };
    if (this.opts.onInvalid) {
      const out = (await this.opts.onInvalid(entry.object, issues, ctx)) ?? {};
      if (ctx.signal.aborted) return;
      const handlerStatus = (out.status ?? {}) as Record<string, unknown>;
      const conditions = this.conditionsFor(entry.object, handlerStatus.conditions, undefined, ready);
      await this.writes.applyStatus(key, entry, { ...handlerStatus, conditions }, ctx.signal);
      return;
    }
    await this.writes.reportConditions(
      key,
      entry,
      this.conditionsFor(entry.object, undefined, undefined, ready),
      ctx.signal,
    );
  }

  private async runFinalizer(key: ObjectRef, entry: CachedEntry, ctx: ReconcileContext): Promise<void> {
    const finalizer = this.finalizer;
    if (!finalizer || !entry.object.metadata.finalizers?.includes(finalizer)) return;
    const id = objectKey(key);
    const seen = entry.object.metadata.resourceVersion ?? "";
    if (this.finalizedAt.get(id) === seen) {
      ctx.log.debug("cleanup already done for this version; waiting for the object to go");
      return;
    }
    // Same retry rules as reconcile: an error propagates to handleError and backs off.
    await this.opts.finalize!(entry.object as Obj, ctx);
    if (ctx.signal.aborted) return;
    await this.writes.patch(key, entry, (o) => removeFinalizerPatch(o.metadata, finalizer), ctx.signal);
    // A reconcile woken before the cache shows this write must not run the cleanup again.
    this.finalizedAt.set(id, seen);
    ctx.log.info("cleanup done, finalizer removed");
  }

  /** Conditions after this reconcile: the given ones merged in, Ready maintained, observedGeneration set. */
  private conditionsFor(
    obj: KubeObject,
    base: unknown,
    extra: ConditionInput[] | undefined,
    ready: ConditionInput,
  ): Condition[] {
    return conditionsAfter(
      obj.status,
      obj.metadata.generation,
      base,
      extra,
      ready,
      this.opts.readyCondition !== false,
    );
  }
}
