import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { load } from "js-yaml";
import {
  type ClusterEntry,
  type Credentials,
  clientNode,
  clientNodeCredentials,
  needsClientNode,
  plainCredentials,
  type UserEntry,
} from "./kube-credentials.js";

/** Where a provider's connection settings come from. */
export type KubeConfigSource =
  | KubeConfig
  | { path: string; context?: string }
  | { yaml: string; context?: string };

/** A kubeconfig that could not be used, with the file and field that are wrong. */
export class KubeConfigError extends Error {
  override readonly name = "KubeConfigError";
}

// Duck-typed: an `instanceof` check would need client-node loaded for every kubeconfig.
function isKubeConfig(source: KubeConfigSource): source is KubeConfig {
  return typeof (source as KubeConfig).getCurrentCluster === "function";
}

function describe(source: KubeConfigSource): string {
  if (isKubeConfig(source)) return "the given KubeConfig";
  if ("path" in source) return `kubeconfig ${source.path}`;
  return "the inline kubeconfig";
}

/**
 * Loads and checks a kubeconfig, so that a broken one fails at start-up with the file, context and
 * field named, instead of as an opaque TLS or 401 error on the first request.
 *
 * @example
 * ```ts
 * const kc = loadKubeConfig({ path: "provider.kubeconfig", context: "root" });
 * console.log(kc.getCurrentCluster()?.server);
 * ```
 */
export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  return resolveCredentials(source).kubeConfig();
}

interface Named<T> {
  name: string;
  value: T;
}

/** The entries of a kubeconfig file, checked as client-node checks them when it loads one. */
interface KubeConfigFile {
  clusters: Named<ClusterEntry>[];
  users: Named<UserEntry>[];
  contexts: Named<{ cluster: string; user?: string }>[];
  currentContext: string | undefined;
}

function entries<T>(doc: Record<string, unknown>, list: string, field: string): Named<T>[] {
  const raw = doc[list] ?? [];
  if (!Array.isArray(raw)) throw new Error(`${list} is not a list`);
  return raw.map((e: Record<string, unknown>, i) => {
    if (!e || typeof e.name !== "string") throw new Error(`${list}[${i}].name is missing`);
    return { name: e.name, value: (e[field] ?? {}) as T };
  });
}

function parseKubeConfig(text: string, baseDir: string | undefined): KubeConfigFile {
  const doc = (load(text) ?? {}) as Record<string, unknown>;
  if (typeof doc !== "object" || Array.isArray(doc)) throw new Error("not a YAML mapping");
  const clusters = entries<ClusterEntry>(doc, "clusters", "cluster");
  clusters.forEach((c, i) => {
    if (typeof c.value.server !== "string") throw new Error(`clusters[${i}].cluster.server is missing`);
  });
  const users = entries<UserEntry>(doc, "users", "user");
  const contexts = entries<{ cluster: string; user?: string }>(doc, "contexts", "context");
  contexts.forEach((c, i) => {
    if (typeof c.value.cluster !== "string") throw new Error(`contexts[${i}].context.cluster is missing`);
  });
  if (baseDir !== undefined) {
    // As kubectl does: relative paths in a kubeconfig file are relative to the file.
    const abs = (p: string | undefined) => (p && !isAbsolute(p) ? resolve(baseDir, p) : p);
    for (const { value: c } of clusters) {
      if (c["certificate-authority"]) c["certificate-authority"] = abs(c["certificate-authority"]);
    }
    for (const { value: u } of users) {
      for (const k of ["client-certificate", "client-key", "tokenFile", "token-file"] as const) {
        if (u[k]) u[k] = abs(u[k]);
      }
    }
  }
  const current = doc["current-context"];
  return { clusters, users, contexts, currentContext: typeof current === "string" ? current : undefined };
}

/**
 * The checked kubeconfig as credentials for a client. A file or inline YAML is read without
 * `@kubernetes/client-node` unless its user needs an exec or auth-provider plugin or its cluster a
 * proxy: importing client-node costs most of a provider's start-up time and RSS.
 */
export function resolveCredentials(source: KubeConfigSource): Credentials {
  const where = describe(source);
  if (isKubeConfig(source)) return clientNodeCredentials(checkClientNodeConfig(source, where));
  let file: KubeConfigFile;
  let text: string;
  try {
    if ("path" in source) {
      if (!existsSync(source.path)) throw new KubeConfigError(`${where}: file does not exist`);
      text = readFileSync(source.path, "utf8");
      file = parseKubeConfig(text, dirname(source.path));
    } else {
      text = source.yaml;
      file = parseKubeConfig(text, undefined);
    }
  } catch (err) {
    if (err instanceof KubeConfigError) throw err;
    throw new KubeConfigError(`${where}: cannot be parsed: ${(err as Error).message}`);
  }
  let ctxName = file.currentContext;
  if (source.context !== undefined) {
    if (!file.contexts.some((c) => c.name === source.context)) {
      const known = file.contexts.map((c) => c.name);
      throw new KubeConfigError(
        `${where}: context "${source.context}" not found (contexts: ${known.join(", ") || "none"})`,
      );
    }
    ctxName = source.context;
  }
  if (!ctxName) throw new KubeConfigError(`${where}: current-context is not set and no context was given`);
  const ctx = file.contexts.find((c) => c.name === ctxName)?.value;
  if (!ctx) throw new KubeConfigError(`${where}: current-context "${ctxName}" names no context`);
  const cluster = file.clusters.find((c) => c.name === ctx.cluster);
  if (!cluster) {
    throw new KubeConfigError(
      `${where}: context "${ctxName}" refers to cluster "${ctx.cluster}", which is not defined`,
    );
  }
  checkServer(where, cluster.name, cluster.value.server);
  const user = ctx.user ? file.users.find((u) => u.name === ctx.user) : undefined;
  if (ctx.user && !user) {
    throw new KubeConfigError(
      `${where}: context "${ctxName}" refers to user "${ctx.user}", which is not defined`,
    );
  }
  const toKubeConfig = () => {
    const kc = new (clientNode().KubeConfig)();
    kc.loadFromString(text);
    if ("path" in source) kc.makePathsAbsolute(dirname(source.path));
    kc.setCurrentContext(ctxName);
    return kc;
  };
  if (needsClientNode(cluster.value, user?.value)) return clientNodeCredentials(toKubeConfig());
  return plainCredentials({ context: ctxName, user: user?.name }, cluster.value, user?.value, toKubeConfig);
}

function checkServer(where: string, clusterName: string, server: string): void {
  try {
    const url = new URL(server);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    throw new KubeConfigError(`${where}: clusters[${clusterName}].cluster.server "${server}" is not a URL`);
  }
}

/** The checks of {@link resolveCredentials} on a KubeConfig the caller made. */
function checkClientNodeConfig(kc: KubeConfig, where: string): KubeConfig {
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
  checkServer(where, cluster.name, cluster.server);
  if (ctx.user && !kc.getCurrentUser()) {
    throw new KubeConfigError(
      `${where}: context "${ctxName}" refers to user "${ctx.user}", which is not defined`,
    );
  }
  return kc;
}
