import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { generate } from "@kcp-mesh/codegen";
import { type Condition, getCondition, type KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { apply, bindExport, bootstrapProvider, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import gadgetsApi, { GADGETS_EXPORT } from "../support/gadgets-api.js";
import { adminClient, uniqueSuffix } from "../support/kcp.js";

type GadgetObject = KubeObject & {
  spec: { message: string };
  status?: { phase?: string; url?: string; conditions?: Condition[] };
};
interface Effect {
  what: "publish" | "withdraw" | "cleanup" | "disengage";
  workspace: string;
  name?: string;
  pid: number;
}

const API = "/apis/lifecycle.example.io/v1alpha1";
const BINDINGS = "/apis/apis.kcp.io/v1alpha2/apibindings";

// Every way a consumer's objects or workspace leave a provider, on real kcp, with the provider
// as its own process under the role mesh-codegen generates (bootstrapProvider), as in production.
describe("consumer lifecycle: invalid objects, unbinding, deleted workspaces, a provider killed meanwhile", () => {
  const root = adminClient();
  const base = `root:lc-${uniqueSuffix()}`;
  const dir = mkdtempSync(join(tmpdir(), "gadgets-"));
  const effectsFile = join(dir, "effects.jsonl");
  const kubeconfigPath = join(dir, "provider.kubeconfig");
  const ws: Record<"a" | "b" | "c" | "d", { path: string; id: string }> = {} as never;
  let provider: { child: ChildProcess; exited: Promise<number | null>; lines: string[] } | undefined;

  const client = (w: keyof typeof ws): KubeClient => root.forWorkspace(ws[w].path);
  const gadget = (name: string, message: string): KubeObject => ({
    apiVersion: "lifecycle.example.io/v1alpha1",
    kind: "Gadget",
    metadata: { name, namespace: "default" },
    spec: { message },
  });
  const read = (w: keyof typeof ws, name: string) =>
    client(w).get<GadgetObject>(`${API}/namespaces/default/gadgets/${name}`);
  const until = (w: keyof typeof ws, name: string, what: string, ok: (g: GadgetObject) => boolean) =>
    waitFor(`${name} in ${w}: ${what}`, async () => {
      const g = await read(w, name);
      return g && ok(g) ? g : undefined;
    });
  const ready = (g: GadgetObject | undefined) => getCondition(g?.status?.conditions, "Ready");
  const effects = (): Effect[] =>
    existsSync(effectsFile)
      ? readFileSync(effectsFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Effect)
      : [];
  const count = (what: Effect["what"], workspace: string, name?: string) =>
    effects().filter((e) => e.what === what && e.workspace === workspace && e.name === name).length;

  function startProvider() {
    const child = spawn(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        new URL("../fixtures/gadgets-provider-main.ts", import.meta.url).pathname,
      ],
      {
        env: {
          ...process.env,
          PROVIDER_KUBECONFIG: kubeconfigPath,
          EFFECTS_FILE: effectsFile,
          LOG_LEVEL: "debug",
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on("line", (l) => lines.push(l));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    provider = { child, exited, lines };
    return provider;
  }

  async function ready3(w: keyof typeof ws, names: string[]) {
    await apply(
      client(w),
      names.map((n) => gadget(n, `hello ${n}`)),
    );
    for (const n of names) {
      await until(
        w,
        n,
        "Ready with the finalizer",
        (g) =>
          ready(g)?.status === "True" &&
          (g.metadata.finalizers ?? []).includes("lifecycle.example.io/gadgets"),
      );
    }
  }

  const bindingGone = (w: keyof typeof ws, timeoutMs: number) =>
    waitFor(
      `the APIBinding in ${w} to be gone`,
      async () => {
        const b = await client(w).get<KubeObject & { status?: { conditions?: Condition[] } }>(
          `${BINDINGS}/${GADGETS_EXPORT}`,
        );
        if (!b) return true;
        // What the last poll saw goes into the timeout message.
        throw new Error(
          `still there: ${JSON.stringify(getCondition(b.status?.conditions, "BindingResourceDeleteSuccess") ?? {})}`,
        );
      },
      { timeoutMs, intervalMs: 250 },
    );

  beforeAll(async () => {
    const deployDir = join(dir, "deploy");
    const { files } = generate(gadgetsApi);
    const { mkdirSync } = await import("node:fs");
    mkdirSync(deployDir);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(deployDir, f), text);
    const providerPath = `${base}:provider`;
    await bootstrapProvider(root, {
      workspace: providerPath,
      deployDir,
      identityName: "gadgets-provider",
      kubeconfigPath,
    });
    for (const w of ["a", "b", "c", "d"] as const) {
      const ref = await createWorkspace(root, `${base}:${w}`);
      ws[w] = { path: ref.path, id: ref.id };
      await bindExport(root.forWorkspace(ref.path), { path: providerPath, name: GADGETS_EXPORT });
    }
    startProvider();
  });

  afterAll(async () => {
    provider?.child.kill("SIGKILL");
    await provider?.exited;
    root.close();
  });

  it("withdraws an object's effect when it turns invalid, and publishes it again when it is valid", async () => {
    await ready3("a", ["g1"]);
    const good = await read("a", "g1");
    expect(good?.status).toMatchObject({ phase: "Ready", url: expect.stringContaining("/g1") });

    await apply(client("a"), [gadget("g1", "bad idea")]);
    const bad = await until("a", "g1", "InvalidSpec", (g) => ready(g)?.reason === "InvalidSpec");
    expect(ready(bad)).toMatchObject({ status: "False", message: "spec.message: must not start with 'bad'" });
    // The provider's onInvalid answer replaced the status: the URL of the withdrawn effect is gone.
    expect(bad.status?.phase).toBe("Invalid");
    expect(bad.status?.url).toBeUndefined();
    expect(count("withdraw", ws.a.id, "g1")).toBeGreaterThanOrEqual(1);
    // One warning for this object and generation across the whole runtime, however often it is
    // seen (watch events, relists, its own status writes).
    await new Promise((r) => setTimeout(r, 1_000));
    const warnings = provider!.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string; name?: string })
      .filter((l) => l.level >= 40 && l.name === "g1");
    expect(warnings.map((w) => w.msg)).toEqual(["invalid Gadget: spec.message: must not start with 'bad'"]);

    const publishedBefore = count("publish", ws.a.id, "g1");
    await apply(client("a"), [gadget("g1", "good again")]);
    const again = await until(
      "a",
      "g1",
      "Ready again",
      (g) => ready(g)?.status === "True" && g.status?.phase === "Ready",
    );
    expect(again.status?.url).toContain("/g1");
    expect(count("publish", ws.a.id, "g1")).toBeGreaterThan(publishedBefore);
  });

  it("finishes an unbinding whose objects hold the finalizer, cleaning each up once, while other workspaces go on", async () => {
    await ready3("a", ["g2", "g3"]);
    await ready3("b", ["keep"]);
    const started = Date.now();
    await client("a").request({ method: "DELETE", path: `${BINDINGS}/${GADGETS_EXPORT}` });
    // Another consumer keeps being served while the unbinding runs.
    await apply(client("b"), [gadget("during", "made while a unbinds")]);
    await until("b", "during", "Ready", (g) => ready(g)?.status === "True");
    await bindingGone("a", 30_000);
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(30_000);
    for (const n of ["g1", "g2", "g3"]) expect(count("cleanup", ws.a.id, n)).toBe(1);
    await waitFor("onDisengage for a", async () => (count("disengage", ws.a.id) === 1 ? true : undefined), {
      timeoutMs: 10_000,
    });
    // b was neither cleaned up nor disengaged.
    expect(count("cleanup", ws.b.id, "keep")).toBe(0);
    expect(count("disengage", ws.b.id)).toBe(0);
  });

  it("finishes an unbinding that started while the provider was killed, once it runs again", async () => {
    await ready3("c", ["k1", "k2"]);
    provider!.child.kill("SIGKILL");
    await provider!.exited;
    await client("c").request({ method: "DELETE", path: `${BINDINGS}/${GADGETS_EXPORT}` });
    // kcp marks the objects deleted and waits on our finalizer: the binding cannot go by itself.
    await until("c", "k1", "marked deleted", (g) => g.metadata.deletionTimestamp !== undefined);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await client("c").get(`${BINDINGS}/${GADGETS_EXPORT}`)).toBeDefined();
    startProvider();
    await bindingGone("c", 60_000);
    if (["k1", "k2"].some((n) => count("cleanup", ws.c.id, n) !== 1)) {
      process.stderr.write(
        `[lifecycle] effects ${JSON.stringify(effects().filter((e) => e.workspace === ws.c.id))}\n`,
      );
      for (const l of provider!.lines)
        if (l.includes(ws.c.id) || l.includes("k1") || l.includes("k2"))
          process.stderr.write(`[lifecycle] ${l}\n`);
    }
    for (const n of ["k1", "k2"]) expect(count("cleanup", ws.c.id, n)).toBe(1);
    // The restarted provider still reconciles the workspaces that stay.
    await apply(client("b"), [gadget("after-restart", "hello")]);
    await until("b", "after-restart", "Ready", (g) => ready(g)?.status === "True");
  });

  it("lets a consumer delete its whole workspace with bound, finalized objects", async () => {
    await ready3("d", ["w1", "w2"]);
    const name = ws.d.path.split(":").at(-1)!;
    await root
      .forWorkspace(base)
      .request({ method: "DELETE", path: `/apis/tenancy.kcp.io/v1alpha1/workspaces/${name}` });
    await waitFor(
      "workspace d to be deleted",
      async () =>
        (await root.forWorkspace(base).get(`/apis/tenancy.kcp.io/v1alpha1/workspaces/${name}`))
          ? undefined
          : true,
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    for (const n of ["w1", "w2"]) expect(count("cleanup", ws.d.id, n)).toBe(1);
  });
});
