import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeConfigError, type KubeConfigSource, resolveCredentials } from "./kube-config.js";
import type { Credentials, TlsMaterial } from "./kube-credentials.js";

/** Query parameters; `undefined` values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** One HTTP request against the Kubernetes-style API. */
export interface KubeRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the client's base URL, starting with `/`. */
  path: string;
  query?: Query;
  /** JSON-serialised unless it is already a string. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /**
   * Deadline for the whole request, answer body included, in ms; `0` for none. Default: the
   * client's `requestTimeoutMs` for {@link KubeClient.request}, none for {@link KubeClient.open}
   * (watches and lists detect dead connections by inactivity instead).
   */
  timeoutMs?: number;
}

/** Options of a {@link KubeClient}. */
export interface KubeClientOptions {
  /**
   * Deadline of every {@link KubeClient.request} (reads and writes), default 30 s. A peer that goes
   * silent without closing the connection would otherwise hold the caller forever; the socket of a
   * request that timed out is destroyed, never handed back to the pool.
   */
  requestTimeoutMs?: number;
}

/** A request that got no complete answer within its deadline. */
export class KubeTimeoutError extends Error {
  override readonly name = "KubeTimeoutError";
  constructor(
    readonly method: string,
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${url}: no complete answer within ${timeoutMs} ms`);
  }
}

/** A non-2xx answer from the API server, with the Status it returned. */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly url: string,
    /** The `details` of the Kubernetes Status, e.g. the invalid fields of a 422. */
    readonly details?: { causes?: { field?: string; message?: string; reason?: string }[] },
  ) {
    super(`${method} ${url}: ${status} ${reason}: ${message}`);
  }
}

/**
 * The transport layer: JSON requests and raw streams against one API server (or virtual workspace)
 * URL, with the TLS settings and credentials of a kubeconfig. The kubeconfig is used for auth and
 * TLS only; list/watch semantics live in the watcher, not here.
 */
export class KubeClient {
  readonly baseUrl: URL;

  private constructor(
    private readonly creds: Credentials,
    baseUrl: URL,
    private readonly tls: Promise<TlsMaterial>,
    private readonly options: KubeClientOptions,
    /** Kept-alive connections; a {@link forWorkspace} view uses its parent's and does not close them. */
    private readonly pool: { agent?: http.Agent } = {},
    private readonly ownsPool = true,
  ) {
    this.baseUrl = baseUrl;
  }

  /** A client for the current context of a kubeconfig (TLS verification on unless the kubeconfig turns it off). */
  static fromKubeConfig(source: KubeConfigSource, options: KubeClientOptions = {}): KubeClient {
    const creds = resolveCredentials(source);
    const tls = creds.tls();
    // Surfaces on the first request; until then an unread rejection must not crash the process.
    tls.catch(() => undefined);
    return new KubeClient(creds, new URL(creds.server), tls, options);
  }

  /** The deadline {@link request} applies when the request names none. */
  get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 30_000;
  }

  /** The same credentials against another URL, e.g. an APIExport virtual workspace endpoint. */
  withBaseUrl(url: string | URL): KubeClient {
    return new KubeClient(this.creds, new URL(url), this.tls, this.options);
  }

  /**
   * The same credentials against another workspace of the same server: `root:orgs:acme` (a path) or a
   * logical cluster id. Any `/clusters/...` suffix of the base URL is replaced.
   */
  forWorkspace(workspace: string): KubeClient {
    const u = new URL(this.baseUrl);
    const prefix = u.pathname.replace(/\/clusters\/[^/]+\/?$/, "").replace(/\/$/, "");
    u.pathname = `${prefix}/clusters/${workspace}`;
    // Same server, so the same connections: a handler's client is made per reconcile, and its own
    // keep-alive pool would cost a TLS handshake per reconcile and leave the socket open afterwards.
    return new KubeClient(this.creds, u, this.tls, this.options, this.pool, false);
  }

  /**
   * Reads the TLS files and credentials the kubeconfig names, and throws {@link KubeConfigError}
   * naming what is missing: a CA or client certificate file that does not exist, or a user with
   * no credentials at all. Requests would otherwise fail later with a bare ENOENT or 401.
   */
  async checkCredentials(): Promise<void> {
    try {
      await this.tls;
      await this.headers();
    } catch (err) {
      throw new KubeConfigError(
        `cannot read the TLS or credential files it names: ${(err as Error).message}`,
      );
    }
    if (!this.creds.hasCredentials) {
      throw new KubeConfigError(
        `user "${this.creds.userName ?? this.creds.contextName}" has no credentials (token, client certificate or exec plugin)`,
      );
    }
  }

  /** Whether TLS verification is switched off (`insecure-skip-tls-verify`). */
  get skipsTlsVerify(): boolean {
    return this.creds.skipTlsVerify;
  }

  /**
   * The kubeconfig this client was made from, as `@kubernetes/client-node`'s KubeConfig (which is
   * loaded on first use of this getter when the client was made from a file or YAML).
   */
  get kubeConfig(): KubeConfig {
    return this.creds.kubeConfig();
  }

  url(path: string, query?: Query): URL {
    const u = new URL(this.baseUrl);
    u.pathname = `${u.pathname.replace(/\/$/, "")}${path}`;
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) u.searchParams.set(k, String(v));
    }
    return u;
  }

  private headers(): Promise<Record<string, string>> {
    return this.creds.headers();
  }

  private async getAgent(): Promise<http.Agent> {
    const pool = this.pool;
    if (!pool.agent) {
      const tls = await this.tls;
      pool.agent ??=
        this.baseUrl.protocol === "https:"
          ? new https.Agent({ keepAlive: true, ...tls })
          : new http.Agent({ keepAlive: true });
    }
    return pool.agent;
  }

  /**
   * Sends a request and resolves with the response, whatever its status, with its body still
   * unread. Watches use this directly; everything else goes through {@link request}.
   */
  async open(req: KubeRequest, accept = "application/json"): Promise<IncomingMessage> {
    const method = req.method ?? "GET";
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = { ...(await this.headers()), Accept: accept };
    let payload: string | undefined;
    if (req.body !== undefined) {
      payload = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
      headers["Content-Type"] = req.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const agent = await this.getAgent();
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const r = mod.request(url, { method, headers, agent, signal: req.signal }, resolve);
      r.on("error", reject);
      if (payload !== undefined) r.write(payload);
      r.end();
    });
  }

  /**
   * Sends a request and parses the JSON answer; a non-2xx answer throws {@link KubeApiError}, no
   * complete answer within the deadline throws {@link KubeTimeoutError}.
   */
  async request<T = unknown>(req: KubeRequest): Promise<T> {
    const method = req.method ?? "GET";
    const timeoutMs = req.timeoutMs ?? this.requestTimeoutMs;
    // Aborting destroys the request's socket, so a connection that went silent leaves the pool.
    const ac = new AbortController();
    const onAbort = () => ac.abort(req.signal?.reason);
    req.signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            ac.abort(new KubeTimeoutError(method, this.url(req.path, req.query).toString(), timeoutMs));
          }, timeoutMs)
        : undefined;
    try {
      req.signal?.throwIfAborted();
      const res = await this.open({ ...req, signal: ac.signal });
      const text = await readBody(res);
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        throw toApiError(status, text, method, this.url(req.path, req.query).toString());
      }
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (err) {
      if (timedOut) {
        // A peer that went silent on one connection has most likely gone silent on the others
        // kept idle for it (a dead NAT entry, a hung proxy): drop them, so the retry opens a
        // fresh connection instead of waiting out one deadline per pooled socket.
        this.dropIdleSockets();
        throw new KubeTimeoutError(method, this.url(req.path, req.query).toString(), timeoutMs);
      }
      throw err;
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Like {@link request}, but resolves with `undefined` on 404. */
  async get<T = unknown>(path: string, query?: Query): Promise<T | undefined> {
    try {
      return await this.request<T>({ path, ...(query && { query }) });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  private dropIdleSockets(): void {
    const free = this.pool.agent?.freeSockets ?? {};
    for (const sockets of Object.values(free)) for (const socket of sockets ?? []) socket.destroy();
  }

  /**
   * Releases pooled connections and ends requests still using them. On a {@link forWorkspace} view
   * it does nothing: the connections are its parent's, closed with the parent.
   */
  close(): void {
    if (!this.ownsPool) return;
    this.pool.agent?.destroy();
    this.pool.agent = undefined;
  }
}

export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function toApiError(status: number, text: string, method: string, url: string): KubeApiError {
  let reason = http.STATUS_CODES[status] ?? "Error";
  let message = text.trim().slice(0, 500);
  let details: KubeApiError["details"];
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string; details?: KubeApiError["details"] };
    if (s.reason) reason = s.reason;
    if (s.message) message = s.message;
    details = s.details;
  } catch {
    // not a Status object: keep the raw text
  }
  return new KubeApiError(status, reason, message, method, url, details);
}
