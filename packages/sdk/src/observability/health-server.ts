import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

/** A named readiness check; returns undefined when ready, or why not. */
export type ReadinessCheck = () => string | undefined;

/** Where {@link startHealthServer} listens and what it reports. */
export interface HealthServerOptions {
  /** Port on 127.0.0.1 (or `host`); 0 picks a free one. */
  port: number;
  host?: string;
  registry: Registry;
  /** Checks for /readyz; all must pass. */
  readiness: Record<string, ReadinessCheck>;
}

/**
 * Serves `/metrics` (Prometheus), `/healthz` (the process serves) and `/readyz` (caches synced and
 * every watch live; a 503 lists what is not ready, as kube-apiserver's `?verbose` does).
 */
export async function startHealthServer(
  options: HealthServerOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/metrics") {
      options.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { "Content-Type": options.registry.contentType });
          res.end(text);
        })
        .catch((err: Error) => {
          res.writeHead(500).end(err.message);
        });
      return;
    }
    if (url.pathname === "/healthz" || url.pathname === "/livez") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
      return;
    }
    if (url.pathname === "/readyz") {
      const lines: string[] = [];
      let ok = true;
      for (const [name, check] of Object.entries(options.readiness)) {
        const why = check();
        if (why === undefined) lines.push(`[+]${name} ok`);
        else {
          ok = false;
          lines.push(`[-]${name} failed: ${why}`);
        }
      }
      lines.push(ok ? "readyz check passed" : "readyz check failed");
      res.writeHead(ok ? 200 : 503, { "Content-Type": "text/plain" }).end(`${lines.join("\n")}\n`);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", resolve);
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
