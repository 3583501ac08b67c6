import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { KubeClient } from "./kube-client.js";

// A handler gets `ctx.client`, a forWorkspace() view made per reconcile. Each view used to get a
// keep-alive pool of its own: one new connection (a TLS handshake against kcp) per reconcile that
// touched it, each left open afterwards.

let server: http.Server;
let url: string;
const sockets = new Set<Socket>();
const paths: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    paths.push(req.url ?? "");
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ kind: "Status", status: "Success" }));
  });
  server.on("connection", (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  sockets.clear();
  paths.length = 0;
});

const client = () =>
  KubeClient.fromKubeConfig({
    yaml: [
      "apiVersion: v1",
      "kind: Config",
      "current-context: c",
      `clusters: [{name: k, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]`,
      "users: [{name: u, user: {token: t}}]",
      "contexts: [{name: c, context: {cluster: k, user: u}}]",
    ].join("\n"),
  });

it("forWorkspace views share their parent's connections", async () => {
  const root = client();
  for (let i = 0; i < 20; i++) await root.forWorkspace(`ws-${i}`).request({ path: "/api" });
  expect(paths).toEqual(Array.from({ length: 20 }, (_, i) => `/clusters/ws-${i}/api`));
  expect(sockets.size).toBe(1);
  root.close();
});

it("closing a view leaves the parent's connections open; closing the parent ends them", async () => {
  const root = client();
  await root.request({ path: "/api" });
  const view = root.forWorkspace("ws-a");
  await view.request({ path: "/api" });
  view.close();
  await root.request({ path: "/api" });
  expect(sockets.size).toBe(1);
  const [socket] = [...sockets];
  expect(socket!.destroyed).toBe(false);
  root.close();
  await new Promise((r) => setTimeout(r, 50));
  expect(socket!.destroyed).toBe(true);
});

it("withBaseUrl clients keep a pool of their own, closed on their own", async () => {
  const root = client();
  const other = root.withBaseUrl(`${url}/services/x`);
  await root.request({ path: "/api" });
  await other.request({ path: "/api" });
  expect(sockets.size).toBe(2);
  other.close();
  await root.request({ path: "/api" });
  expect(sockets.size).toBe(2);
  root.close();
});
