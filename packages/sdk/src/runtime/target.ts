import { groupVersionPath, type KubeObject } from "../util/objects.js";
import type { ValidationIssue } from "../util/validation-issue.js";

export type { ValidationIssue };

/** What a target's `validate` returns: the typed value, or every issue found. */
export type TargetValidation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/**
 * What the runtime watches. A plain description on purpose: hand-written, or derived from a zod
 * resource definition (whose `validateObject` fits `validate` as is).
 *
 * @typeParam T the typed object that `validate` produces (plain {@link KubeObject} without one)
 */
export interface WatchTarget<T = KubeObject> {
  /** API group; `""` for the core group (e.g. secrets). */
  group: string;
  version: string;
  /** Resource name in URLs, e.g. `widgets`. */
  plural: string;
  kind?: string;
  namespaced: boolean;
  /**
   * Checks each object as it arrives. Objects that fail are still cached and streamed, flagged
   * invalid with the issues: one bad object must neither vanish nor stop the watch.
   */
  validate?: (obj: KubeObject) => TargetValidation<T>;
}

/** The collection path of a target, e.g. `/clusters/* /apis/g/v/widgets` for workspace `*`. */
export function collectionPath(target: WatchTarget<unknown>, workspace?: string): string {
  const prefix = workspace === undefined ? "" : `/clusters/${workspace}`;
  return `${prefix}${groupVersionPath(target.group, target.version)}/${target.plural}`;
}

/** A short name for logs and metrics: `widgets.example.io/v1`. */
export function targetName(target: WatchTarget<unknown>): string {
  return target.group === ""
    ? `${target.plural}/${target.version}`
    : `${target.plural}.${target.group}/${target.version}`;
}
