import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { apply, createServiceAccountIdentity, providerIdentityRules } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_EXPORT, type ThingsSetup, thing } from "../support/things.js";

// A handler that never returns and ignores ctx.signal must not keep a stopping provider alive.
describe("SIGTERM with a handler that never returns", () => {
  const root = adminClient();
  let setup: ThingsSetup;
  let kubeconfigFile: string;

  beforeAll(async () => {
    setup = await setupThings(root, `root:drain-${uniqueSuffix()}`, ["a"]);
    const identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "things-provider",
      rules: providerIdentityRules(THINGS_EXPORT),
    });
    kubeconfigFile = join(tmpdir(), `drain-${uniqueSuffix()}.kubeconfig`);
    writeFileSync(kubeconfigFile, identity.kubeconfig);
  });
  afterAll(() => root.close());

  it("exits with code 1 after the drain timeout and the grace, naming the stuck reconcile, even when signalled twice", async () => {
    const child = spawn(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        new URL("../fixtures/things-provider-main.ts", import.meta.url).pathname,
      ],
      {
        env: {
          ...process.env,
          PROVIDER_KUBECONFIG: kubeconfigFile,
          HANG: "1",
          SHUTDOWN_TIMEOUT_MS: "2000",
          SHUTDOWN_GRACE_MS: "1000",
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const logs: { msg: string; level: number; name?: string; stuck?: string[] }[] = [];
    const started = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const entry = JSON.parse(line) as (typeof logs)[number];
        logs.push(entry);
        if (entry.msg === "reconcile started" && entry.name === "forever") resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await apply(root.forWorkspace(setup.consumers[0]!.path), [thing("forever", "slow")]);
    await started;
    const t0 = Date.now();
    child.kill("SIGTERM");
    // A second signal (an impatient Ctrl-C, a wrapper forwarding twice) must not cut the drain
    // short and lose the report.
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGTERM");
    const timeout = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const code = await exited;
    clearTimeout(timeout);
    expect(code).toBe(1);
    // 2 s drain + 1 s grace, then out: far from the 30 s at which the test would kill it.
    expect(Date.now() - t0).toBeLessThan(15_000);
    const msgs = logs.map((l) => l.msg);
    expect(msgs).toContain("drain timeout passed: aborting running reconciles");
    const stuck = logs.find((l) => l.msg === "stopped with reconciles still running");
    expect(stuck?.level).toBe(50);
    expect(stuck?.stuck).toEqual([`${setup.consumers[0]!.id}/default/forever`]);
  });
});
