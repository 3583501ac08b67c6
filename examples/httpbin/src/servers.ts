import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** A running httpbin-like endpoint for one HttpBin object. */
export interface RunningServer {
  url: string;
  port: number;
}

/**
 * The provider's real effect on the machine: one small HTTP server per HttpBin object, on
 * 127.0.0.1. Keyed by the object's workspace/namespace/name, so the same name in two workspaces
 * gets two servers.
 */
export class ServerPool {
  private readonly servers = new Map<string, { server: Server; info: RunningServer; message: string }>();

  /** Starts (or keeps) the server of a key; a changed message is picked up without a restart. */
  async ensure(key: string, options: { message: string; port?: number }): Promise<RunningServer> {
    const existing = this.servers.get(key);
    if (existing && (options.port === undefined || options.port === existing.info.port)) {
      existing.message = options.message;
      return existing.info;
    }
    if (existing) await this.remove(key);
    const entry = { message: options.message } as { server: Server; info: RunningServer; message: string };
    const server = createServer((req, res) => handle(req, res, entry.message, key));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", resolve);
    });
    const addr = server.address();
    const port = typeof addr === "object" && addr ? addr.port : 0;
    entry.server = server;
    entry.info = { url: `http://127.0.0.1:${port}`, port };
    this.servers.set(key, entry);
    return entry.info;
  }

  get(key: string): RunningServer | undefined {
    return this.servers.get(key)?.info;
  }

  /** Stops the server of a key; resolves once its port is free. */
  async remove(key: string): Promise<void> {
    const entry = this.servers.get(key);
    if (!entry) return;
    this.servers.delete(key);
    entry.server.closeAllConnections();
    await new Promise<void>((resolve) => entry.server.close(() => resolve()));
  }

  /** Stops every server of a workspace (keys start with `<workspace>/`). */
  async removeWorkspace(workspace: string): Promise<void> {
    const prefix = `${workspace}/`;
    await Promise.all(
      [...this.servers.keys()].filter((k) => k.startsWith(prefix)).map((k) => this.remove(k)),
    );
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((k) => this.remove(k)));
  }

  get size(): number {
    return this.servers.size;
  }
}

function handle(req: IncomingMessage, res: ServerResponse, message: string, key: string): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json" }).end(`${JSON.stringify(body, null, 2)}\n`);
  };
  if (url.pathname === "/" || url.pathname === "/get") {
    json(200, { message, object: key, path: url.pathname, args: Object.fromEntries(url.searchParams) });
  } else if (url.pathname === "/headers") {
    json(200, { headers: req.headers });
  } else if (url.pathname.startsWith("/status/")) {
    const code = Number(url.pathname.slice("/status/".length));
    if (Number.isInteger(code) && code >= 200 && code <= 599) res.writeHead(code).end();
    else json(400, { error: "use /status/<200-599>" });
  } else if (url.pathname === "/healthz") {
    res.writeHead(200).end("ok");
  } else {
    json(404, { error: "not found", try: ["/get", "/headers", "/status/418"] });
  }
}
