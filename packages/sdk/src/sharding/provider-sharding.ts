import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { ObjectRef } from "../runtime/item.js";
import type { Store } from "../runtime/store.js";
import type { KubeClient } from "../transport/kube-client.js";
import { ShardingMetrics } from "./metrics.js";
import type { ShardingOptions } from "./options.js";
import { Ownership } from "./ownership.js";

/** The part of a provider's controller sharding drives. */
export interface ShardedController {
  enqueue(key: ObjectRef): void;
  dropWorkspace(workspace: string): void;
  settleWorkspace(workspace: string, timeoutMs: number, abortNow?: boolean): Promise<void>;
}

/**
 * Sharding wired to a provider's controllers: a gained workspace's cached objects are queued; a
 * lost one's queued work is dropped and its running reconciles settle before its Lease goes.
 */
export function providerSharding(options: {
  client: KubeClient;
  exportName: string;
  sharding: ShardingOptions;
  registry: Registry;
  /** Called before each scrape: sharding sets its owned-workspaces gauge there. */
  onCollect: (() => void)[];
  logger: Logger;
  workspaces: () => Iterable<string>;
  reconcilers: () => readonly { controller: ShardedController; store: Store<unknown> }[];
}): Ownership {
  const metrics = new ShardingMetrics(options.registry);
  const timeoutMs = options.sharding.handoverTimeoutMs ?? 10_000;
  const ownership = new Ownership({
    client: options.client,
    exportName: options.exportName,
    sharding: options.sharding,
    metrics,
    logger: options.logger,
    hooks: {
      workspaces: options.workspaces,
      gained: (workspaces) => {
        for (const { controller, store } of options.reconcilers()) {
          for (const workspace of workspaces) {
            for (const item of store.list({ workspace })) {
              controller.enqueue({
                workspace,
                ...(item.namespace && { namespace: item.namespace }),
                name: item.name,
              });
            }
          }
        }
      },
      lost: async (workspaces, abort) => {
        const all = options.reconcilers();
        for (const { controller } of all) for (const ws of workspaces) controller.dropWorkspace(ws);
        await Promise.all(
          all.flatMap(({ controller }) =>
            workspaces.map((ws) => controller.settleWorkspace(ws, timeoutMs, abort)),
          ),
        );
        // A reconcile that returned during the wait may have queued a retry.
        for (const { controller } of all) for (const ws of workspaces) controller.dropWorkspace(ws);
      },
    },
  });
  options.onCollect.push(() =>
    metrics.ownedWorkspaces.set({ replica: ownership.identity }, ownership.countOwned(options.workspaces())),
  );
  return ownership;
}
