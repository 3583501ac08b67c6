import { readFileSync } from "node:fs";
import type https from "node:https";
import { createRequire } from "node:module";
import type { KubeConfig } from "@kubernetes/client-node";

/** TLS settings of a client's connections. */
export interface TlsMaterial {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
}

/** What a client needs of a checked kubeconfig: where to connect, TLS, and the auth headers. */
export interface Credentials {
  readonly server: string;
  readonly contextName: string;
  readonly userName: string | undefined;
  readonly skipTlsVerify: boolean;
  /** Whether the user has any credentials at all (token, client certificate, exec, ...). */
  readonly hasCredentials: boolean;
  tls(): Promise<TlsMaterial>;
  /** Headers for the next request (a token file or an exec plugin may give a new token). */
  headers(): Promise<Record<string, string>>;
  /** The same kubeconfig as `@kubernetes/client-node`'s KubeConfig (loaded on first call). */
  kubeConfig(): KubeConfig;
}

type ClientNode = typeof import("@kubernetes/client-node");
let clientNodeModule: ClientNode | undefined;

/**
 * `@kubernetes/client-node`, loaded on first use: importing it loads its generated API models (most
 * of a provider's start-up time and tens of MiB of RSS), which only exec and auth-provider plugins,
 * proxies and callers that hand in their own KubeConfig need.
 */
export function clientNode(): ClientNode {
  try {
    clientNodeModule ??= createRequire(import.meta.url)("@kubernetes/client-node") as ClientNode;
  } catch (err) {
    // A provider bundled with client-node left out, and no node_modules beside it.
    throw new Error(
      "this kubeconfig needs @kubernetes/client-node (exec or auth-provider plugin, proxy, or a KubeConfig object), " +
        "which could not be loaded: install it next to the provider",
      { cause: err },
    );
  }
  return clientNodeModule;
}

/** Whether {@link clientNode} has loaded client-node in this process (tests check it stays unloaded). */
export function clientNodeLoaded(): boolean {
  return clientNodeModule !== undefined;
}

/** Credentials that client-node's KubeConfig applies (exec and auth-provider plugins, proxies). */
export function clientNodeCredentials(kc: KubeConfig): Credentials {
  const user = kc.getCurrentUser();
  const cluster = kc.getCurrentCluster()!;
  const applied = async () => {
    const opts: https.RequestOptions & { headers?: Record<string, string> } = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    return opts;
  };
  return {
    server: cluster.server,
    contextName: kc.getCurrentContext(),
    userName: user?.name,
    skipTlsVerify: cluster.skipTLSVerify === true,
    hasCredentials: Boolean(
      user &&
        (user.token || user.certData || user.certFile || user.authProvider || user.exec || user.username),
    ),
    async tls() {
      const opts = await applied();
      return {
        ...(opts.ca !== undefined && { ca: opts.ca as string | Buffer }),
        ...(opts.cert !== undefined && { cert: opts.cert as string | Buffer }),
        ...(opts.key !== undefined && { key: opts.key as string | Buffer }),
        ...(opts.rejectUnauthorized !== undefined && { rejectUnauthorized: opts.rejectUnauthorized }),
      };
    },
    async headers() {
      const opts = await applied();
      const h: Record<string, string> = { ...(opts.headers as Record<string, string>) };
      if (typeof opts.auth === "string" && !h.Authorization) {
        h.Authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
      }
      return h;
    },
    kubeConfig: () => kc,
  };
}

/** A kubeconfig cluster entry, as in the file. */
export interface ClusterEntry {
  server: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
  "proxy-url"?: string;
}

/** A kubeconfig user entry, as in the file. */
export interface UserEntry {
  token?: string;
  tokenFile?: string;
  "token-file"?: string;
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  "auth-provider"?: unknown;
}

/** Whether the entries need client-node (plugins or proxies) rather than the plain reader below. */
export function needsClientNode(cluster: ClusterEntry, user: UserEntry | undefined): boolean {
  return Boolean(user?.exec || user?.["auth-provider"] || cluster["proxy-url"] || cluster["tls-server-name"]);
}

/** A token file is read again after this long, so a rotated token (projected service account tokens) is picked up. */
const TOKEN_FILE_TTL_MS = 60_000;

/**
 * Credentials of a kubeconfig whose user has a token, token file, client certificate or basic auth:
 * read straight from the file's entries (paths already absolute), headers built once.
 */
export function plainCredentials(
  names: { context: string; user: string | undefined },
  cluster: ClusterEntry,
  user: UserEntry | undefined,
  toKubeConfig: () => KubeConfig,
): Credentials {
  const fileOrData = (file: string | undefined, data: string | undefined) =>
    file ? readFileSync(file) : data ? Buffer.from(data, "base64") : undefined;
  const skip = cluster["insecure-skip-tls-verify"] === true;
  let tokenRead: { at: number; value: string } | undefined;
  const tokenFile = user?.tokenFile ?? user?.["token-file"];
  const staticHeaders: Record<string, string> = {};
  if (user?.token) staticHeaders.Authorization = `Bearer ${user.token}`;
  else if (user?.username && !tokenFile) {
    staticHeaders.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`;
  }
  let kc: KubeConfig | undefined;
  return {
    server: cluster.server,
    contextName: names.context,
    userName: names.user,
    skipTlsVerify: skip,
    hasCredentials: Boolean(
      user &&
        (user.token ||
          tokenFile ||
          user["client-certificate"] ||
          user["client-certificate-data"] ||
          user.username),
    ),
    async tls() {
      // As client-node: credentials never go out over plain HTTP unless the kubeconfig opts out of TLS checks.
      if (cluster.server.startsWith("http:") && !skip) {
        throw new Error(`HTTP server ${cluster.server} is not allowed without insecure-skip-tls-verify`);
      }
      const ca = fileOrData(cluster["certificate-authority"], cluster["certificate-authority-data"]);
      const cert = fileOrData(user?.["client-certificate"], user?.["client-certificate-data"]);
      const key = fileOrData(user?.["client-key"], user?.["client-key-data"]);
      return {
        ...(ca !== undefined && { ca }),
        ...(cert !== undefined && { cert }),
        ...(key !== undefined && { key }),
        ...(skip && { rejectUnauthorized: false }),
      };
    },
    async headers() {
      if (!tokenFile || user?.token) return staticHeaders;
      const now = Date.now();
      if (!tokenRead || now - tokenRead.at > TOKEN_FILE_TTL_MS) {
        tokenRead = { at: now, value: readFileSync(tokenFile, "utf8").trim() };
      }
      return { Authorization: `Bearer ${tokenRead.value}` };
    },
    kubeConfig: () => {
      kc ??= toKubeConfig();
      return kc;
    },
  };
}
