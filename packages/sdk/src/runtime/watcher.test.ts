import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import type { WatchEvent } from "./events.js";
import type { WatchTarget } from "./target.js";
import { WatchStats } from "./watch-stats.js";
import { Watcher } from "./watcher.js";

const target: WatchTarget = { group: "example.io", version: "v1", plural: "widgets", namespaced: true };
const PATH = "/clusters/*/apis/example.io/v1/widgets";

const obj = (ws: string, name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: "default", resourceVersion: rv, annotations: { "kcp.io/cluster": ws } },
});

type Handler = (url: URL, res: http.ServerResponse) => void;

/** A scripted API server on loopback: each request takes the next handler of its kind. */
async function fakeServer(lists: Handler[], watches: Handler[]) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    const isWatch = url.searchParams.get("watch") === "1";
    seen.push(
      `${isWatch ? "watch" : "list"} rv=${url.searchParams.get("resourceVersion") ?? ""} continue=${url.searchParams.get("continue") ?? ""}`,
    );
    const h = (isWatch ? watches : lists).shift();
    if (!h) {
      // Out of script: hang, like a dead server.
      return;
    }
    h(url, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const client = KubeClient.fromKubeConfig({
    yaml: `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  });
  return { server, client, seen };
}

const json =
  (status: number, body: unknown): Handler =>
  (_u, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
const list = (items: KubeObject[], rv: string, cont?: string) =>
  json(200, { items, metadata: { resourceVersion: rv, ...(cont && { continue: cont }) } });
/** A watch that sends these events, then stays open without a byte. */
const stream =
  (...events: unknown[]): Handler =>
  (_u, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    for (const e of events) res.write(`${JSON.stringify(e)}\n`);
  };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

function run(client: KubeClient, stats = new WatchStats()) {
  const events: WatchEvent[] = [];
  const w = new Watcher({
    client,
    path: PATH,
    target,
    pageSize: 1,
    timeoutSeconds: 1,
    marginSeconds: 0.3,
    backoff: { initialMs: 10, maxMs: 50 },
    stats,
    onEvent: (e) => events.push(e),
  }).start();
  cleanup.push(() => w.stop());
  const show = () =>
    events.map((e) =>
      "key" in e ? `${e.type}${e.initial ? "*" : ""} ${e.key}@${e.resourceVersion}` : e.type,
    );
  return { w, events, show, stats };
}

async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("Watcher driver", () => {
  it("pages, watches, detects a silent connection and resumes from the last bookmark", async () => {
    const { server, client, seen } = await fakeServer(
      [list([obj("ws1", "a", "5")], "9", "c1"), list([obj("ws2", "a", "6")], "9")],
      [
        stream(
          { type: "ADDED", object: obj("ws1", "b", "10") },
          { type: "BOOKMARK", object: { metadata: { resourceVersion: "12" } } },
        ),
        stream({ type: "DELETED", object: obj("ws1", "a", "13") }),
      ],
    );
    cleanup.push(async () => {
      client.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    const { show, stats } = run(client);
    await until(() => show().includes("deleted ws1/default/a@13"));
    expect(show()).toEqual([
      "init-start",
      "added* ws1/default/a@5",
      "added* ws2/default/a@6",
      "init-done",
      "added ws1/default/b@10",
      "deleted ws1/default/a@13",
    ]);
    expect(seen.slice(0, 4)).toEqual([
      "list rv= continue=",
      "list rv= continue=c1",
      "watch rv=9 continue=",
      "watch rv=12 continue=",
    ]);
    expect(stats.count("inactivity")).toBe(1);
  });

  it("relists on a 410 ERROR event, reports vanished objects, and backs off on 500s", async () => {
    const { server, client } = await fakeServer(
      [
        list([obj("ws1", "a", "5"), obj("ws1", "b", "5")], "9"),
        json(500, { message: "boom" }),
        list([obj("ws1", "b", "20")], "21"),
      ],
      [
        stream({
          type: "ERROR",
          object: { kind: "Status", code: 410, reason: "Expired", message: "too old" },
        }),
      ],
    );
    cleanup.push(async () => {
      client.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    const { show, stats, w } = run(client);
    await until(() => show().filter((s) => s === "init-done").length === 2);
    expect(show().slice(4)).toEqual([
      "init-start",
      "modified* ws1/default/b@20",
      "deleted* ws1/default/a@5",
      "init-done",
    ]);
    expect(stats.count("gone")).toBe(1);
    expect(stats.count("error")).toBe(1);
    await w.stop();
    expect(w.synced).toBe(true);
  });

  it("stops while backing off from an unreachable server, and stops for good", async () => {
    const client = KubeClient.fromKubeConfig({
      yaml: `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    });
    const { w, stats, events } = run(client);
    await until(() => stats.count("error") >= 2);
    await w.stop();
    const n = stats.restarts;
    await new Promise((r) => setTimeout(r, 100));
    expect(stats.restarts).toBe(n);
    expect(events).toEqual([]);
  });
});
