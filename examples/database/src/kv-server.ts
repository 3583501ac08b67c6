import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** HTTP basic auth credentials of one database. */
export interface Credentials {
  username: string;
  password: string;
}

/** A running database for one Database object. */
export interface RunningDatabase {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  credentials: Credentials;
}

/** Fresh credentials: what a real provider would get from its database when creating a user. */
export function generateCredentials(): Credentials {
  return { username: `u${randomBytes(4).toString("hex")}`, password: randomBytes(18).toString("base64url") };
}

const MAX_VALUE_BYTES = 1 << 20;

/**
 * The provider's real effect on the machine: one small key-value HTTP server per Database object
 * on 127.0.0.1 (`GET`/`PUT /kv/<key>`, `GET /healthz`), protected by HTTP basic auth. Keyed by the
 * object's workspace/namespace/name, so the same name in two workspaces gets two databases. Data
 * lives in memory: replace this class with calls to your real database service when you fork.
 */
export class KvServerPool {
  private readonly servers = new Map<string, { server: Server; info: RunningDatabase }>();

  /**
   * Starts the database of a key, or returns the running one unchanged.
   *
   * @param credentials the credentials a new server accepts (ignored when it already runs)
   * @param preferredPort tried first, so that after a provider restart the endpoint in the
   *   connection Secret usually stays valid; any free port when it is taken
   */
  async ensure(key: string, credentials: Credentials, preferredPort?: number): Promise<RunningDatabase> {
    const existing = this.servers.get(key);
    if (existing) return existing.info;
    const data = new Map<string, Buffer>();
    const server = createServer((req, res) => handle(req, res, credentials, data));
    let port: number;
    try {
      port = await listen(server, preferredPort ?? 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || !preferredPort) throw err;
      port = await listen(server, 0);
    }
    const info = { endpoint: `http://127.0.0.1:${port}`, port, credentials };
    this.servers.set(key, { server, info });
    return info;
  }

  /** The running database of a key, if any. */
  get(key: string): RunningDatabase | undefined {
    return this.servers.get(key)?.info;
  }

  /** Stops the database of a key (its data is gone); resolves once its port is free. */
  async remove(key: string): Promise<void> {
    const entry = this.servers.get(key);
    if (!entry) return;
    this.servers.delete(key);
    entry.server.closeAllConnections();
    await new Promise<void>((resolve) => entry.server.close(() => resolve()));
  }

  /** Stops every database, e.g. when the provider process stops. */
  /** Stops every database of a workspace (keys start with `<workspace>/`). */
  async removeWorkspace(workspace: string): Promise<void> {
    const prefix = `${workspace}/`;
    await Promise.all(
      [...this.servers.keys()].filter((k) => k.startsWith(prefix)).map((k) => this.remove(k)),
    );
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((k) => this.remove(k)));
  }

  /** How many databases run. */
  get size(): number {
    return this.servers.size;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

function authorized(req: IncomingMessage, credentials: Credentials): boolean {
  const header = req.headers.authorization ?? "";
  if (!header.startsWith("Basic ")) return false;
  const given = Buffer.from(header.slice("Basic ".length), "base64");
  const expected = Buffer.from(`${credentials.username}:${credentials.password}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  credentials: Credentials,
  data: Map<string, Buffer>,
): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/healthz") {
    res.writeHead(200).end("ok");
    return;
  }
  if (!authorized(req, credentials)) {
    res.writeHead(401, { "WWW-Authenticate": 'Basic realm="kv"' }).end("unauthorized\n");
    return;
  }
  const key = url.pathname.startsWith("/kv/") ? decodeURIComponent(url.pathname.slice(4)) : "";
  if (!key) {
    res.writeHead(404).end("use /kv/<key>\n");
    return;
  }
  if (req.method === "GET") {
    const value = data.get(key);
    if (value) res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(value);
    else res.writeHead(404).end("no such key\n");
  } else if (req.method === "PUT") {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_VALUE_BYTES) {
        res.writeHead(413).end("value too large\n");
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      data.set(key, Buffer.concat(chunks));
      res.writeHead(204).end();
    });
  } else {
    res.writeHead(405, { Allow: "GET, PUT" }).end();
  }
}
