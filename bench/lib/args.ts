import type { ReconcileStarts } from "./reconcile-starts.js";
/** A tiny `--name value` / `--name=value` / `--flag` parser for the benchmark's scripts. */
export function parseArgs(argv: string[]): Map<string, string> {
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
  return out;
}

/** Serves GET /memory (`{heapBytes}`) for the benchmark driver on `host:port`. */
export async function serveMemory(address: string, reconciles?: ReconcileStarts): Promise<void> {
  const { createServer } = await import("node:http");
  const [host, port] = address.split(":") as [string, string];
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.startsWith("/memory")) {
      if (!req.url.includes("gc=false")) (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      res.setHeader("Content-Type", "application/json");
      res.end(
        JSON.stringify({ heapBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external }),
      );
      return;
    }
    if (req.method === "GET" && reconciles && req.url?.startsWith("/reconciles")) {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(reconciles));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  server.unref();
  await new Promise<void>((resolve) => server.listen(Number(port), host, resolve));
}
