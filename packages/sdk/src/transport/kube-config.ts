import { existsSync, readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";

/** Where a provider's connection settings come from. */
export type KubeConfigSource =
  | KubeConfig
  | { path: string; context?: string }
  | { yaml: string; context?: string };

/** A kubeconfig that could not be used, with the file and field that are wrong. */
export class KubeConfigError extends Error {
  override readonly name = "KubeConfigError";
}

function describe(source: KubeConfigSource): string {
  if (source instanceof KubeConfig) return "the given KubeConfig";
  if ("path" in source) return `kubeconfig ${source.path}`;
  return "the inline kubeconfig";
}

/**
 * Loads and checks a kubeconfig, so that a broken one fails at start-up with the file, context and
 * field named, instead of as an opaque TLS or 401 error on the first request.
 */
export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const where = describe(source);
  let kc: KubeConfig;
  if (source instanceof KubeConfig) {
    kc = source;
  } else {
    kc = new KubeConfig();
    try {
      if ("path" in source) {
        if (!existsSync(source.path)) {
          throw new KubeConfigError(`${where}: file does not exist`);
        }
        kc.loadFromString(readFileSync(source.path, "utf8"));
        kc.makePathsAbsolute(source.path.replace(/[^/]*$/, "") || ".");
      } else {
        kc.loadFromString(source.yaml);
      }
    } catch (err) {
      if (err instanceof KubeConfigError) throw err;
      throw new KubeConfigError(`${where}: cannot be parsed: ${(err as Error).message}`);
    }
    if (source.context !== undefined) {
      if (!kc.getContextObject(source.context)) {
        const known = kc.getContexts().map((c) => c.name);
        throw new KubeConfigError(
          `${where}: context "${source.context}" not found (contexts: ${known.join(", ") || "none"})`,
        );
      }
      kc.setCurrentContext(source.context);
    }
  }
  const ctxName = kc.getCurrentContext();
  if (!ctxName) throw new KubeConfigError(`${where}: current-context is not set and no context was given`);
  const ctx = kc.getContextObject(ctxName);
  if (!ctx) throw new KubeConfigError(`${where}: current-context "${ctxName}" names no context`);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new KubeConfigError(
      `${where}: context "${ctxName}" refers to cluster "${ctx.cluster}", which is not defined`,
    );
  }
  try {
    const url = new URL(cluster.server);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    throw new KubeConfigError(
      `${where}: clusters[${cluster.name}].cluster.server "${cluster.server}" is not a URL`,
    );
  }
  if (ctx.user && !kc.getCurrentUser()) {
    throw new KubeConfigError(
      `${where}: context "${ctxName}" refers to user "${ctx.user}", which is not defined`,
    );
  }
  return kc;
}
