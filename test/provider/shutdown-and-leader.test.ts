import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createProvider, type KubeObject } from "@kcp-mesh/sdk";
import { apply, createServiceAccountIdentity, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_API, THINGS_EXPORT, type ThingsSetup, thing } from "../support/things.js";
import { Thing, thingsProviderRules } from "../support/things-api.js";

type ThingObject = KubeObject & { status?: { phase?: string; note?: string } };

describe("provider operations on real kcp", () => {
  const root = adminClient();
  let setup: ThingsSetup;
  let kubeconfig: string;
  const read = (name: string) =>
    root
      .forWorkspace(setup.consumers[0]!.path)
      .get<ThingObject>(`${THINGS_API}/namespaces/default/things/${name}`);

  beforeAll(async () => {
    setup = await setupThings(root, `root:ops-${uniqueSuffix()}`, ["a"]);
    const identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "things-provider",
      rules: thingsProviderRules(THINGS_EXPORT),
    });
    kubeconfig = identity.kubeconfig;
  });
  afterAll(() => root.close());

  it("on SIGTERM stops taking work, lets the running reconcile finish and exits cleanly", async () => {
    const file = join(tmpdir(), `provider-${uniqueSuffix()}.kubeconfig`);
    writeFileSync(file, kubeconfig);
    const child = spawn(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        new URL("../fixtures/things-provider-main.ts", import.meta.url).pathname,
      ],
      {
        env: { ...process.env, PROVIDER_KUBECONFIG: file, SLOW_MS: "3000" },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const logs: { msg: string; name?: string; workspace?: string }[] = [];
    const started = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const entry = JSON.parse(line) as { msg: string; name?: string };
        logs.push(entry);
        if (entry.msg === "reconcile started" && entry.name === "slowpoke") resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await apply(root.forWorkspace(setup.consumers[0]!.path), [thing("slowpoke", "slow")]);
    await started;
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const t = await read("slowpoke");
    // Drained, not cut: the status is the whole status of the finished reconcile.
    expect(t?.status).toMatchObject({ phase: "Ready-slow", note: "complete" });
    expect(logs.map((l) => l.msg)).toContain("waiting for running reconciles to finish");
    expect(logs.at(-1)?.msg).toBe("stopped");
    // Every log line about the object names its workspace.
    expect(
      logs.filter((l) => l.name === "slowpoke").every((l) => l.workspace === setup.consumers[0]!.id),
    ).toBe(true);
  });

  it("with leader election only the leader reconciles, and a standby takes over when it stops", async () => {
    const handled: Record<string, string[]> = { one: [], two: [] };
    const leaseName = `things-${uniqueSuffix()}`;
    const make = (id: "one" | "two") => {
      const p = createProvider({
        kubeconfig: { yaml: kubeconfig },
        export: THINGS_EXPORT,
        logger: pino({ level: "silent" }),
        handleSignals: false,
        leaderElection: { identity: id, leaseName },
      });
      p.reconcile(Thing, async (t) => {
        handled[id]!.push(t.metadata.name!);
        return { status: { phase: `by-${id}` } };
      });
      return p;
    };
    const one = make("one");
    const two = make("two");
    await one.start();
    const twoStarted = two.start();
    await apply(root.forWorkspace(setup.consumers[0]!.path), [thing("led-1", "red")]);
    await waitFor("led-1 by one", async () =>
      (await read("led-1"))?.status?.phase === "by-one" ? true : undefined,
    );
    expect(handled.two).toEqual([]);
    await one.stop(); // releases the lease
    await twoStarted;
    await apply(root.forWorkspace(setup.consumers[0]!.path), [thing("led-2", "red")]);
    await waitFor("led-2 by two", async () =>
      (await read("led-2"))?.status?.phase === "by-two" ? true : undefined,
    );
    await two.stop();
  });
});
