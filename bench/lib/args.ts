/**
 * A tiny `--name value` / `--name=value` / `--flag` parser for the benchmark's scripts. With
 * `known`, a flag not in it is an error (a misspelt size must not run the default size for an hour).
 */
export function parseArgs(argv: string[], known?: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    if (eq > 0) {
      out.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) {
      out.set(a.slice(2), argv[++i]!);
    } else {
      out.set(a.slice(2), "true");
    }
  }
  const unknown = known ? [...out.keys()].filter((k) => !known.includes(k)) : [];
  if (unknown.length > 0) {
    throw new Error(
      `unknown flag ${unknown.map((k) => `--${k}`).join(", ")}; known: ${known!.map((k) => `--${k}`).join(" ")}`,
    );
  }
  return out;
}

/** A debug route: the JSON to answer with, or undefined for 404. */
export type DebugRoute = (url: string) => unknown | Promise<unknown>;

/**
 * Serves the contender's debug endpoints for the benchmark driver on `host:port` (bench/README.md):
 * `GET /memory` (`{heapBytes, heapTotalBytes, externalBytes}`, after a GC unless `?gc=false`), and
 * any `routes` by path prefix (`/reconciles`, `/cache`, `/profile/`).
 */
export async function serveDebug(address: string, routes: Record<string, DebugRoute> = {}): Promise<void> {
  const { createServer } = await import("node:http");
  const all: Record<string, DebugRoute> = { "/memory": memory, ...routes };
  const [host, port] = address.split(":") as [string, string];
  const server = createServer(async (req, res) => {
    const url = req.url ?? "";
    const route =
      req.method === "GET" ? Object.entries(all).find(([prefix]) => url.startsWith(prefix)) : undefined;
    const body = await route?.[1](url);
    if (body === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify(body));
  });
  server.unref();
  await new Promise<void>((resolve) => server.listen(Number(port), host, resolve));
}

function memory(url: string) {
  if (!url.includes("gc=false")) (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heapBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external };
}
