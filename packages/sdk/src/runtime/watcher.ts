import type { Logger } from "pino";
import { KubeApiError, type KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { isObjectEvent, type WatchEvent } from "./events.js";
import { InactivityError } from "./idle-timer.js";
import { decodeItem } from "./item.js";
import { listPage } from "./list-page.js";
import { targetName, type WatchTarget } from "./target.js";
import { WatchStats } from "./watch-stats.js";
import { openWatch } from "./watch-stream.js";
import {
  initialWatcherState,
  type RestartReason,
  stepWatcher,
  type WatcherInput,
  type WatcherState,
  type WatcherStep,
} from "./watcher-machine.js";

/** Options of a {@link Watcher}. */
export interface WatcherOptions<T> {
  /** A client whose base URL is the endpoint (e.g. an APIExport virtual workspace URL). */
  client: KubeClient;
  /** Collection path below the base URL, e.g. `/clusters/* /apis/example.io/v1/widgets`. */
  path: string;
  target: WatchTarget<T>;
  /** Reported as `endpoint` on every event; default the client's base URL. */
  endpoint?: string;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** List page size; default 500. */
  pageSize?: number;
  /** Watch `timeoutSeconds`; default 290. */
  timeoutSeconds?: number;
  /** Silence tolerated beyond the timeout before the connection counts as dead; default 5 s. */
  marginSeconds?: number;
  backoff?: BackoffOptions;
  keepManagedFields?: boolean;
  /**
   * Treat 404 as an empty list (and report known objects deleted); default true on wildcard
   * (`/clusters/*`) paths, where it means the shard serves nothing yet, false elsewhere.
   */
  notFoundIsEmpty?: boolean;
  logger?: Logger | undefined;
  stats?: WatchStats | undefined;
  /** Receives every event in order, synchronously. Exceptions are logged, never fatal. */
  onEvent: (event: WatchEvent<T>) => void;
}

/**
 * Runs the watcher state machine against one endpoint: lists, watches, resumes, relists and backs
 * off as it says. Never ends by itself: only {@link stop} ends it.
 */
export class Watcher<T = KubeObject> {
  /** Resolves when the watcher has stopped. */
  readonly done: Promise<void>;
  readonly endpoint: string;
  private state: WatcherState<T>;
  private readonly backoff: Backoff;
  private readonly log: Logger | undefined;
  private readonly stats: WatchStats;
  private readonly resource: string;
  private interrupt: WatcherInput | undefined;
  private op = new AbortController();
  private lastMessage: string | undefined;
  /** HTTP status of the last failed request, to tell refused credentials from a flaky network. */
  private lastStatus: number | undefined;
  private started = false;
  private resolveDone!: () => void;

  constructor(private readonly options: WatcherOptions<T>) {
    this.endpoint = options.endpoint ?? options.client.baseUrl.toString().replace(/\/$/, "");
    this.resource = targetName(options.target);
    const decodeOptions = { keepManagedFields: options.keepManagedFields ?? false };
    this.state = initialWatcherState(
      this.endpoint,
      (raw) => decodeItem(options.target, raw, this.endpoint, decodeOptions),
      { notFoundIsEmpty: options.notFoundIsEmpty ?? options.path.includes("/clusters/*/") },
    );
    this.backoff = new Backoff(options.backoff);
    this.log = options.logger?.child({ resource: this.resource, endpoint: this.endpoint });
    this.stats = options.stats ?? new WatchStats();
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
  }

  /** Starts listing and watching; returns `this`. */
  start(): this {
    if (!this.started) {
      this.started = true;
      this.stats.watcherRunning(this.resource, 1);
      const finished = () => {
        this.stats.watcherRunning(this.resource, -1);
        this.resolveDone();
      };
      void this.run().then(finished, (err: unknown) => {
        // Only a bug gets here; say so loudly rather than stop silently.
        this.log?.fatal({ err }, "watcher loop failed");
        finished();
      });
    }
    return this;
  }

  /** Stops for good; with `release`, every known object is first reported `deleted`. */
  stop(options: { release?: boolean } = {}): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.resolveDone();
      return this.done;
    }
    // Step synchronously, so that released objects are reported before stop() returns.
    this.interrupt = { kind: "stop" };
    if (this.state.phase !== "stopped")
      this.apply(stepWatcher(this.state, { kind: "stop", release: options.release ?? false }));
    this.op.abort();
    return this.done;
  }

  /** Asks for a fresh list (e.g. to get back objects that were released). */
  relist(): void {
    if (this.interrupt?.kind === "stop") return;
    this.interrupt = { kind: "relist" };
    this.op.abort();
  }

  /** True once the first list has completed. */
  get synced(): boolean {
    return this.state.synced;
  }

  /** Number of objects currently known on this endpoint. */
  get size(): number {
    return this.state.known.size;
  }

  private takeInterrupt(): WatcherInput | undefined {
    const i = this.interrupt;
    if (i?.kind === "relist") this.interrupt = undefined;
    return i;
  }

  private apply(step: WatcherStep<T>): void {
    this.state = step.state;
    if (step.restart) this.onRestart(step.restart);
    for (const ev of step.events) {
      if (
        isObjectEvent(ev) &&
        !ev.valid &&
        ev.type !== "deleted" &&
        (!ev.old || ev.old.resourceVersion !== ev.resourceVersion)
      ) {
        // Debug only: the controller reports an invalid object once per generation, in the
        // object's status and at warn level; several watches of one object must not repeat it.
        this.log?.debug(
          { workspace: ev.workspace, namespace: ev.namespace, name: ev.name, issues: ev.issues },
          "object does not fit the schema; cached and streamed flagged invalid",
        );
      } else if (ev.type === "init-done") {
        this.log?.debug({ objects: this.state.known.size }, "list complete");
      }
      try {
        this.options.onEvent(ev);
      } catch (err) {
        this.log?.error(
          { err, ...(isObjectEvent(ev) && { workspace: ev.workspace }) },
          "event handler threw",
        );
      }
    }
  }

  private onRestart(reason: RestartReason): void {
    const message = this.lastMessage;
    const status = this.lastStatus;
    this.lastMessage = undefined;
    this.lastStatus = undefined;
    this.stats.record({ resource: this.resource, endpoint: this.endpoint, reason, message, at: new Date() });
    if (reason === "expired") this.log?.debug("watch renewed after its timeout");
    else if (reason === "not-found") this.log?.debug({ message }, "nothing served here yet; will list again");
    else if (status === 401 || status === 403) {
      // Retrying will not help until someone fixes the credentials or the role: say so loudly.
      this.log?.error(
        { reason, status, message },
        status === 401
          ? "the API server rejects the provider's credentials (401): expired or revoked token? retrying"
          : "the provider identity is not allowed to list or watch here (403): check its role; retrying",
      );
    } else this.log?.warn({ reason, message }, "watch restarting");
  }

  private async run(): Promise<void> {
    let step = stepWatcher(this.state, { kind: "start" });
    for (;;) {
      this.apply(step);
      const command = step.command;
      if (command.kind === "stopped") return;
      const interrupt = this.takeInterrupt();
      if (interrupt) {
        step = stepWatcher(this.state, interrupt);
        continue;
      }
      this.op = new AbortController();
      switch (command.kind) {
        case "list":
          step = stepWatcher(this.state, await this.list(command.continue));
          break;
        case "backoff": {
          const ms = this.backoff.next();
          this.log?.debug({ delayMs: ms }, "backing off");
          await sleep(ms, this.op.signal);
          step = stepWatcher(this.state, this.takeInterrupt() ?? { kind: "retry" });
          break;
        }
        case "watch":
          step = await this.watch(command.resourceVersion);
          break;
        case "read":
          // Only meaningful inside the watch loop; reaching it here means the stream is gone.
          step = stepWatcher(this.state, {
            kind: "watch-failed",
            reason: "disconnect",
            message: "stream lost",
          });
          break;
      }
    }
  }

  private async list(continueToken: string | undefined): Promise<WatcherInput> {
    try {
      const page = await listPage(this.options.client, this.options.path, {
        limit: this.options.pageSize ?? 500,
        continue: continueToken,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        signal: this.op.signal,
      });
      return {
        kind: "page",
        items: page.items,
        resourceVersion: page.resourceVersion,
        continue: page.continue,
      };
    } catch (err) {
      const interrupt = this.takeInterrupt();
      if (interrupt) return interrupt;
      this.lastMessage = (err as Error).message;
      this.lastStatus = err instanceof KubeApiError ? err.status : undefined;
      return {
        kind: "list-failed",
        status: err instanceof KubeApiError ? err.status : undefined,
        message: this.lastMessage,
      };
    }
  }

  private failure(err: unknown): WatcherInput {
    this.lastMessage = (err as Error).message;
    this.lastStatus = err instanceof KubeApiError ? err.status : undefined;
    if (err instanceof KubeApiError)
      return { kind: "watch-failed", status: err.status, reason: "http", message: err.message };
    if (err instanceof InactivityError)
      return { kind: "watch-failed", reason: "inactivity", message: err.message };
    return { kind: "watch-failed", reason: "disconnect", message: this.lastMessage };
  }

  private async watch(resourceVersion: string): Promise<WatcherStep<T>> {
    const timeoutSeconds = this.options.timeoutSeconds ?? 290;
    let stream: Awaited<ReturnType<typeof openWatch>>;
    try {
      stream = await openWatch(this.options.client, this.options.path, {
        resourceVersion,
        timeoutSeconds,
        marginSeconds: this.options.marginSeconds ?? 5,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        signal: this.op.signal,
      });
    } catch (err) {
      return stepWatcher(this.state, this.takeInterrupt() ?? this.failure(err));
    }
    const openedAt = Date.now();
    this.apply(stepWatcher(this.state, { kind: "watch-opened" }));
    try {
      for await (const event of stream) {
        if (event.type === "ERROR") this.lastMessage = event.object?.message;
        const step = stepWatcher(this.state, { kind: "watch-event", event });
        if (step.command.kind !== "read") {
          stream.close();
          return step;
        }
        this.apply(step);
      }
    } catch (err) {
      return stepWatcher(this.state, this.takeInterrupt() ?? this.failure(err));
    }
    const interrupt = this.takeInterrupt();
    if (interrupt) return stepWatcher(this.state, interrupt);
    // A server ends a healthy watch after timeoutSeconds; a much earlier clean end is a proxy or a
    // restarting server, and must back off rather than reconnect in a tight loop.
    if (Date.now() - openedAt < Math.min(5_000, timeoutSeconds * 500)) {
      this.lastMessage = "watch closed early";
      return stepWatcher(this.state, {
        kind: "watch-failed",
        reason: "disconnect",
        message: this.lastMessage,
      });
    }
    return stepWatcher(this.state, { kind: "watch-ended" });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
