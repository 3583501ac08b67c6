/**
 * The watcher as a pure state machine (after kube-rs `watcher.rs`): `stepWatcher(state, input)`
 * returns the next state, the events to emit and the one thing the driver must do next. All I/O,
 * time and randomness live in the driver, so every path (pages, bookmarks, 410, 404, errors, stop)
 * is tested without a network.
 *
 * States: idle → listing (page by page) → watching ⇄ backoff, and stopped. `known` holds the last
 * state of every object this endpoint reported, which is what lets a relist report the objects that
 * vanished meanwhile as `deleted`.
 */
import type { KubeObject } from "../util/objects.js";
import type { ObjectEvent, WatchEvent } from "./events.js";
import type { Item } from "./item.js";

/** One event off a watch stream, as the server sent it. */
export interface RawWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  /** The object; for `ERROR` a Status (`code`, `reason`, `message`). */
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

/** What happened since the last step. */
export type WatcherInput =
  | { kind: "start" }
  | { kind: "page"; items: readonly KubeObject[]; resourceVersion: string; continue?: string | undefined }
  | { kind: "list-failed"; status?: number | undefined; message: string }
  | { kind: "watch-opened" }
  | { kind: "watch-event"; event: RawWatchEvent }
  /** The server ended the watch normally (its `timeoutSeconds` passed). */
  | { kind: "watch-ended" }
  | {
      kind: "watch-failed";
      status?: number | undefined;
      message: string;
      reason: "http" | "disconnect" | "inactivity";
    }
  /** The backoff delay asked for has passed. */
  | { kind: "retry" }
  /** Someone needs a fresh list (e.g. a workspace engaged again after its objects were released). */
  | { kind: "relist" }
  /** Stop for good; with `release`, report every known object `deleted` first. */
  | { kind: "stop"; release?: boolean };

/** What the driver must do next. */
export type WatcherCommand =
  | { kind: "list"; continue?: string | undefined }
  | { kind: "watch"; resourceVersion: string }
  /** Wait a backoff delay, then send `retry`. */
  | { kind: "backoff" }
  /** Keep reading the open watch stream. */
  | { kind: "read" }
  | { kind: "stopped" };

/** Why the watch (or list) had to be restarted; counted by the driver. */
export type RestartReason =
  | "gone" // 410: resourceVersion or continue token too old, relist
  | "not-found" // 404 on the wildcard path: nothing served yet
  | "error" // any other error answer
  | "disconnect" // connection broke or closed early
  | "inactivity" // no bytes for longer than the watch timeout plus margin
  | "expired"; // the server ended the watch after timeoutSeconds: normal, re-watch at once

/** The watcher's state. Treat it as moved into `stepWatcher`: the old value must not be reused. */
export interface WatcherState<T> {
  readonly phase: "idle" | "listing" | "watching" | "backoff" | "stopped";
  readonly endpoint: string;
  readonly decode: (raw: KubeObject) => Item<T>;
  /** Last resourceVersion seen on this endpoint (never compared with another endpoint's). */
  readonly resourceVersion: string | undefined;
  /** Every object this endpoint reported and did not delete, by key. */
  readonly known: Map<string, Item<T>>;
  /** Keys listed so far in the current list pass. */
  readonly seen: Set<string> | undefined;
  readonly continueToken: string | undefined;
  /** `init-start` was emitted and `init-done` not yet. */
  readonly initOpen: boolean;
  /** `init-done` was emitted at least once. */
  readonly synced: boolean;
  /** What `retry` resumes after a backoff. */
  readonly resume: "list" | "watch";
  /**
   * A 404 means "nothing served here yet" (wildcard paths of a virtual workspace) rather than an
   * error to retry with the cache kept (a single workspace that is not reachable for a moment).
   */
  readonly notFoundIsEmpty: boolean;
}

/** The result of one step. */
export interface WatcherStep<T> {
  state: WatcherState<T>;
  events: WatchEvent<T>[];
  command: WatcherCommand;
  restart?: RestartReason;
}

/** A watcher in its initial state; `start` makes it list. */
export function initialWatcherState<T>(
  endpoint: string,
  decode: (raw: KubeObject) => Item<T>,
  options: { notFoundIsEmpty?: boolean } = {},
): WatcherState<T> {
  return {
    phase: "idle",
    endpoint,
    decode,
    resourceVersion: undefined,
    known: new Map(),
    seen: undefined,
    continueToken: undefined,
    initOpen: false,
    synced: false,
    resume: "list",
    notFoundIsEmpty: options.notFoundIsEmpty ?? true,
  };
}

/** Advances the watcher by one input. Pure apart from reusing `state.known`, which it owns. */
export function stepWatcher<T>(state: WatcherState<T>, input: WatcherInput): WatcherStep<T> {
  const events: WatchEvent<T>[] = [];
  if (state.phase === "stopped") return { state, events, command: { kind: "stopped" } };
  if (state.phase === "idle" && input.kind !== "stop") return startList(state, events);
  switch (input.kind) {
    case "start":
      return ignore(state);
    case "stop": {
      if (input.release) {
        for (const item of state.known.values()) events.push(objectEvent("deleted", item, false, item));
        state.known.clear();
      }
      return { state: { ...state, phase: "stopped" }, events, command: { kind: "stopped" } };
    }
    case "relist":
      return startList(state, events);
    case "retry":
      if (state.phase !== "backoff") return ignore(state);
      if (state.resume === "watch" && state.resourceVersion !== undefined) {
        return watchFrom(state, events);
      }
      return {
        state: { ...state, phase: "listing", seen: state.seen ?? new Set() },
        events,
        command: { kind: "list", continue: state.continueToken },
      };
    case "page":
      if (state.phase !== "listing") return ignore(state);
      return onPage(state, input, events);
    case "list-failed":
      if (state.phase !== "listing") return ignore(state);
      if (input.status === 410) {
        // The continue token expired: the pass must start over to stay a consistent snapshot.
        return { ...startList(state, events), restart: "gone" };
      }
      if (input.status === 404 && state.notFoundIsEmpty) return onEmpty(state, events);
      return {
        state: { ...state, phase: "backoff", resume: "list" },
        events,
        command: { kind: "backoff" },
        restart: "error",
      };
    case "watch-opened":
      return state.phase === "watching" ? { state, events, command: { kind: "read" } } : ignore(state);
    case "watch-event":
      if (state.phase !== "watching") return ignore(state);
      return onWatchEvent(state, input.event, events);
    case "watch-ended":
      if (state.phase !== "watching") return ignore(state);
      return { ...watchFrom(state, events), restart: "expired" };
    case "watch-failed":
      if (state.phase !== "watching") return ignore(state);
      if (input.status === 410) return { ...startList(state, events), restart: "gone" };
      if (input.status === 404) {
        return {
          state: { ...state, phase: "backoff", resume: "list" },
          events,
          command: { kind: "backoff" },
          restart: "not-found",
        };
      }
      return {
        state: { ...state, phase: "backoff", resume: "watch" },
        events,
        command: { kind: "backoff" },
        restart: input.reason === "http" ? "error" : input.reason,
      };
  }
}

function ignore<T>(state: WatcherState<T>): WatcherStep<T> {
  // An input that does not fit the phase (e.g. a late event after a restart) changes nothing.
  const command: WatcherCommand =
    state.phase === "watching"
      ? { kind: "read" }
      : state.phase === "backoff"
        ? { kind: "backoff" }
        : state.phase === "listing"
          ? { kind: "list", continue: state.continueToken }
          : { kind: "stopped" };
  return { state, events: [], command };
}

function startList<T>(state: WatcherState<T>, events: WatchEvent<T>[]): WatcherStep<T> {
  return {
    state: { ...state, phase: "listing", seen: new Set(), continueToken: undefined },
    events,
    command: { kind: "list" },
  };
}

function watchFrom<T>(state: WatcherState<T>, events: WatchEvent<T>[]): WatcherStep<T> {
  return {
    state: { ...state, phase: "watching" },
    events,
    command: { kind: "watch", resourceVersion: state.resourceVersion ?? "" },
  };
}

function openInit<T>(state: WatcherState<T>, events: WatchEvent<T>[]): true {
  // init-start is emitted with the first answer, not the request, so that a retried 404 on an
  // empty shard does not emit an empty init-start/init-done pair every few seconds.
  if (!state.initOpen) events.push({ type: "init-start", endpoint: state.endpoint });
  return true;
}

function objectEvent<T>(
  type: ObjectEvent<T>["type"],
  item: Item<T>,
  initial: boolean,
  old: Item<T> | undefined,
): ObjectEvent<T> {
  return old === undefined ? { ...item, type, initial } : { ...item, type, initial, old };
}

function onPage<T>(
  state: WatcherState<T>,
  page: Extract<WatcherInput, { kind: "page" }>,
  events: WatchEvent<T>[],
): WatcherStep<T> {
  const initOpen = openInit(state, events);
  const seen = state.seen ?? new Set<string>();
  for (const raw of page.items) {
    const item = state.decode(raw);
    if (!item.name) continue;
    const old = state.known.get(item.key);
    state.known.set(item.key, item);
    seen.add(item.key);
    events.push(objectEvent(old ? "modified" : "added", item, true, old));
  }
  if (page.continue) {
    return {
      state: { ...state, initOpen, seen, continueToken: page.continue },
      events,
      command: { kind: "list", continue: page.continue },
    };
  }
  for (const [key, item] of state.known) {
    if (!seen.has(key)) {
      state.known.delete(key);
      events.push(objectEvent("deleted", item, true, item));
    }
  }
  events.push({ type: "init-done", endpoint: state.endpoint });
  return watchFrom(
    {
      ...state,
      resourceVersion: page.resourceVersion,
      initOpen: false,
      synced: true,
      seen: undefined,
      continueToken: undefined,
    },
    events,
  );
}

function onEmpty<T>(state: WatcherState<T>, events: WatchEvent<T>[]): WatcherStep<T> {
  // A wildcard path answers 404 while its shard serves nothing for the export: that is an empty
  // list, not an error. No resourceVersion comes with it, so list again after a backoff.
  if (!state.synced || state.known.size > 0 || state.initOpen) {
    openInit(state, events);
    for (const item of state.known.values()) events.push(objectEvent("deleted", item, true, item));
    state.known.clear();
    events.push({ type: "init-done", endpoint: state.endpoint });
  }
  return {
    state: {
      ...state,
      phase: "backoff",
      resume: "list",
      initOpen: false,
      synced: true,
      seen: undefined,
      continueToken: undefined,
      resourceVersion: undefined,
    },
    events,
    command: { kind: "backoff" },
    restart: "not-found",
  };
}

function onWatchEvent<T>(state: WatcherState<T>, ev: RawWatchEvent, events: WatchEvent<T>[]): WatcherStep<T> {
  const rv = ev.object?.metadata?.resourceVersion;
  switch (ev.type) {
    case "BOOKMARK":
      return { state: rv ? { ...state, resourceVersion: rv } : state, events, command: { kind: "read" } };
    case "ERROR": {
      const code = ev.object?.code;
      if (code === 410) return { ...startList(state, events), restart: "gone" };
      return {
        state: { ...state, phase: "backoff", resume: "watch" },
        events,
        command: { kind: "backoff" },
        restart: "error",
      };
    }
    case "ADDED":
    case "MODIFIED":
    case "DELETED": {
      const item = state.decode(ev.object);
      const next = rv ? { ...state, resourceVersion: rv } : state;
      if (!item.name) return { state: next, events, command: { kind: "read" } };
      const old = state.known.get(item.key);
      if (ev.type === "DELETED") {
        state.known.delete(item.key);
        events.push(objectEvent("deleted", item, false, old));
      } else {
        state.known.set(item.key, item);
        events.push(objectEvent(old ? "modified" : "added", item, false, old));
      }
      return { state: next, events, command: { kind: "read" } };
    }
    default:
      return { state, events, command: { kind: "read" } };
  }
}
