import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { generate } from "@kcp-mesh/codegen";
import { createProvider, defineApi, type KubeObject } from "@kcp-mesh/sdk";
import { apply, createServiceAccountIdentity, parseYamlObjects, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_API, THINGS_EXPORT, type ThingsSetup, thing } from "../support/things.js";
import { Thing } from "../support/things-api.js";

type ThingObject = KubeObject & { status?: { phase?: string; note?: string } };

/** Resolves as `promise` does, or fails after `ms` saying what did not happen. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000}s waiting for ${what}`)), ms);
  });
  promise.catch(() => undefined); // a late rejection (after the timeout) is not unhandled
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

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
    // The provider runs with exactly the role mesh-codegen generates for the export (its `leases`
    // rule is what leader election needs), not with rules written for the test.
    const generated = parseYamlObjects(
      generate(defineApi({ name: THINGS_EXPORT, resources: [Thing] })).files["rbac-provider.yaml"]!,
    );
    const role = generated.find((o) => o.kind === "ClusterRole")!;
    expect(role.metadata.name).toBe(`${THINGS_EXPORT}:provider`);
    const identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "things-provider",
      rbac: generated,
      clusterRoles: [role.metadata.name!],
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

  it("with leader election only the leader reconciles and is ready; a standby takes over when it stops", async () => {
    const handled: Record<"one" | "two", string[]> = { one: [], two: [] };
    const leaseName = `things-${uniqueSuffix()}`;
    const make = (id: "one" | "two") => {
      const p = createProvider({
        kubeconfig: { yaml: kubeconfig },
        export: THINGS_EXPORT,
        logger: pino({ level: "silent" }),
        handleSignals: false,
        metricsPort: 0,
        leaderElection: { identity: id, leaseName },
      });
      p.reconcile(Thing, async (t) => {
        handled[id].push(t.metadata.name!);
        return { status: { phase: `by-${id}` } };
      });
      return p;
    };
    const readyz = async (port: number | undefined) => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: res.status, body: await res.text() };
    };
    const one = make("one");
    const two = make("two");
    try {
      await within(30_000, "the first replica to take the lease", one.start());
      const twoStarted = two.start();
      twoStarted.catch(() => undefined); // awaited below; stop() in finally may end it first
      await apply(root.forWorkspace(setup.consumers[0]!.path), [thing("led-1", "red")]);
      await waitFor("led-1 by one", async () =>
        (await read("led-1"))?.status?.phase === "by-one" ? true : undefined,
      );
      expect(handled.one).toContain("led-1");
      expect(handled.two).toEqual([]);
      // The leader is ready; the standby serves /readyz with 503 because it does not lead.
      await waitFor("the leader's /readyz to be 200", async () =>
        (await readyz(one.healthPort)).status === 200 ? true : undefined,
      );
      const standbyPort = await waitFor("the standby's health server", async () => two.healthPort);
      const standby = await readyz(standbyPort);
      expect(standby.status).toBe(503);
      expect(standby.body).toMatch(/\[-\]leader failed/);

      await one.stop(); // releases the lease
      const handledByOne = [...handled.one];
      await within(30_000, "the standby to take the lease over", twoStarted);
      await apply(root.forWorkspace(setup.consumers[0]!.path), [thing("led-2", "red")]);
      await waitFor("led-2 by two", async () =>
        (await read("led-2"))?.status?.phase === "by-two" ? true : undefined,
      );
      // The new leader handles what exists and what comes; the old one handles nothing more.
      expect(handled.two).toContain("led-2");
      await waitFor("led-1 taken over by two", async () =>
        (await read("led-1"))?.status?.phase === "by-two" ? true : undefined,
      );
      expect(handled.two).toContain("led-1");
      expect(handled.one).toEqual(handledByOne);
      await waitFor("the new leader's /readyz to be 200", async () =>
        (await readyz(two.healthPort)).status === 200 ? true : undefined,
      );
    } finally {
      await one.stop();
      await two.stop();
    }
  });
});
