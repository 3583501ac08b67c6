import { createServer, type Server } from "node:http";

/**
 * A tiny key-value HTTP server with basic auth, speaking the protocol of the Database provider's
 * databases (`GET`/`PUT /kv/<key>`). The App's tests run against it, so they need no Database
 * provider; test/examples/compose.test.ts at the repository root runs both providers together.
 */
export async function startKvServer(username: string, password: string) {
  const data = new Map<string, string>();
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== expected) return void res.writeHead(401).end();
    const key = decodeURIComponent((req.url ?? "").replace(/^\/kv\//, ""));
    if (req.method === "PUT") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => {
        body += c;
      });
      req.on("end", () => {
        data.set(key, body);
        res.writeHead(204).end();
      });
    } else if (data.has(key)) res.writeHead(200).end(data.get(key));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    data,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
