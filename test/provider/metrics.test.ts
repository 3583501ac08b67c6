import { createProvider, getCondition, type KubeObject, type Provider } from "@kcp-mesh/sdk";
import { apply, createServiceAccountIdentity, providerIdentityRules, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_API, THINGS_EXPORT, type ThingsSetup, thing } from "../support/things.js";
import { Thing } from "../support/things-api.js";

type ThingObject = KubeObject & {
  status?: { phase?: string; conditions?: { type: string; reason?: string }[] };
};

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format into samples (comments skipped). */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const RESOURCE = "things.harness.example.io/v1alpha1";

// Every metric the README names, with its labels, on /metrics after real reconciles (a success,
// a retried failure, an invalid object) and watch renewals.
describe("provider metrics on /metrics", () => {
  const root = adminClient();
  let setup: ThingsSetup;
  let provider: Provider;
  let failOnce = true;
  let samples: Sample[] = [];
  const read = (name: string) =>
    root
      .forWorkspace(setup.consumers[0]!.path)
      .get<ThingObject>(`${THINGS_API}/namespaces/default/things/${name}`);
  const scrape = async () =>
    parseMetrics(await (await fetch(`http://127.0.0.1:${provider.healthPort}/metrics`)).text());

  beforeAll(async () => {
    setup = await setupThings(root, `root:met-${uniqueSuffix()}`, ["a"]);
    const identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "things-provider",
      rules: providerIdentityRules(THINGS_EXPORT),
    });
    provider = createProvider({
      kubeconfig: { yaml: identity.kubeconfig },
      export: THINGS_EXPORT,
      logger: pino({ level: "silent" }),
      handleSignals: false,
      metricsPort: 0,
      // Short watches, so that renewals show in kcp_mesh_watch_restarts_total within seconds.
      watch: { timeoutSeconds: 2 },
    });
    provider.reconcile(
      Thing,
      async (t) => {
        if (t.spec.color === "flaky" && failOnce) {
          failOnce = false;
          throw new Error("backend unavailable");
        }
        return { status: { phase: `Ready-${t.spec.color}` } };
      },
      { backoff: { baseMs: 50, maxMs: 1000 } },
    );
    await provider.start();
    await apply(root.forWorkspace(setup.consumers[0]!.path), [
      thing("m-good", "red"),
      thing("m-flaky", "flaky"),
      thing("m-bad", "purple"),
    ]);
    await waitFor("m-good ready", async () =>
      (await read("m-good"))?.status?.phase === "Ready-red" ? true : undefined,
    );
    await waitFor("m-flaky ready after a retry", async () =>
      (await read("m-flaky"))?.status?.phase === "Ready-flaky" ? true : undefined,
    );
    await waitFor("m-bad reported invalid", async () =>
      getCondition((await read("m-bad"))?.status?.conditions as never, "Ready")?.reason === "InvalidSpec"
        ? true
        : undefined,
    );
    samples = await waitFor(
      `a renewal of the ${RESOURCE} watch on /metrics`,
      async () => {
        const s = await scrape();
        return s.some(
          (x) => x.name === "kcp_mesh_watch_restarts_total" && x.labels.resource === RESOURCE && x.value > 0,
        )
          ? s
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    await provider?.stop();
    root.close();
  });

  /** Samples of a metric; each must carry exactly the label names given. */
  const series = (name: string, labelNames: string[]) => {
    const found = samples.filter((s) => s.name === name);
    expect(found.length, `${name} has samples`).toBeGreaterThan(0);
    for (const s of found)
      expect(Object.keys(s.labels).sort(), `labels of ${name}`).toEqual([...labelNames].sort());
    return found;
  };
  const one = (name: string, labelNames: string[], labels: Record<string, string>) => {
    const s = series(name, labelNames).find((x) =>
      Object.entries(labels).every(([k, v]) => x.labels[k] === v),
    );
    expect(
      s,
      `${name} ${JSON.stringify(labels)} among ${JSON.stringify(series(name, labelNames))}`,
    ).toBeDefined();
    return s!.value;
  };

  it("controller_runtime_reconcile_total{controller,result,workspace}, per result", () => {
    const ws = setup.consumers[0]!.id;
    const labels = ["controller", "result", "workspace"];
    expect(
      one("controller_runtime_reconcile_total", labels, {
        controller: "things",
        result: "success",
        workspace: ws,
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      one("controller_runtime_reconcile_total", labels, {
        controller: "things",
        result: "error",
        workspace: ws,
      }),
    ).toBe(1);
    expect(
      one("controller_runtime_reconcile_total", labels, {
        controller: "things",
        result: "invalid",
        workspace: ws,
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("controller_runtime_reconcile_time_seconds{controller}", () => {
    expect(
      one("controller_runtime_reconcile_time_seconds_count", ["controller"], { controller: "things" }),
    ).toBeGreaterThanOrEqual(4);
    expect(
      series("controller_runtime_reconcile_time_seconds_bucket", ["controller", "le"]).length,
    ).toBeGreaterThan(1);
  });

  it("workqueue_depth, workqueue_adds_total, workqueue_queue_duration_seconds, workqueue_retries_total", () => {
    const ws = setup.consumers[0]!.id;
    expect(one("workqueue_depth", ["name"], { name: "things" })).toBe(0);
    expect(
      one("workqueue_adds_total", ["name", "workspace"], { name: "things", workspace: ws }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      one("workqueue_queue_duration_seconds_count", ["name"], { name: "things" }),
    ).toBeGreaterThanOrEqual(4);
    expect(one("workqueue_retries_total", ["name", "workspace"], { name: "things", workspace: ws })).toBe(1);
  });

  it("kcp_mesh_watch_restarts_total{resource,endpoint,reason}", () => {
    const renewals = one("kcp_mesh_watch_restarts_total", ["resource", "endpoint", "reason"], {
      resource: RESOURCE,
      endpoint: setup.vwUrl,
      reason: "expired",
    });
    expect(renewals).toBeGreaterThanOrEqual(1);
  });

  it("kcp_mesh_cached_objects{resource,workspace}, kcp_mesh_engaged_workspaces, kcp_mesh_invalid_objects", () => {
    const ws = setup.consumers[0]!.id;
    expect(
      one("kcp_mesh_cached_objects", ["resource", "workspace"], { resource: RESOURCE, workspace: ws }),
    ).toBe(3);
    expect(one("kcp_mesh_engaged_workspaces", ["export"], { export: THINGS_EXPORT })).toBe(1);
    expect(one("kcp_mesh_invalid_objects", ["resource"], { resource: RESOURCE })).toBe(1);
  });
});
