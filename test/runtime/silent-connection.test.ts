import { type Condition, createProvider, getCondition, type KubeObject, type Provider } from "@kcp-mesh/sdk";
import { apply, createServiceAccountIdentity, providerIdentityRules, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_API, THINGS_EXPORT, type ThingsSetup, thing } from "../support/things.js";
import { Thing } from "../support/things-api.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

type ThingObject = KubeObject & { status?: { phase?: string; conditions?: Condition[] } };

const N = 30;
const REQUEST_TIMEOUT_MS = 3_000;
const WATCH_TIMEOUT_S = 8; // silence is noticed after this plus the 5 s margin

// A peer that goes silent without closing (no FIN, no RST) is the fault a keep-alive pool hides:
// every request reusing such a socket would wait forever. The provider talks to kcp through a
// proxy that silences every open connection at once, pooled idle ones included.
describe("a provider whose connections go silent without closing", () => {
  const root = adminClient();
  let setup: ThingsSetup;
  let proxy: TcpProxy;
  let provider: Provider | undefined;
  let hold: (() => void) | undefined;
  let holding: Promise<void> | undefined;
  let held: (() => void) | undefined;
  const consumer = () => root.forWorkspace(setup.consumers[0]!.path);
  const phaseOf = async (name: string) =>
    (await consumer().get<ThingObject>(`${THINGS_API}/namespaces/default/things/${name}`))?.status?.phase;

  beforeAll(async () => {
    setup = await setupThings(root, `root:silent-${uniqueSuffix()}`, ["a"]);
    proxy = await startTcpProxy(Number(new URL(setup.vwUrl).port));
    const identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "silent-provider",
      rules: providerIdentityRules(THINGS_EXPORT),
    });
    const proxied = new URL(setup.vwUrl);
    proxied.port = String(proxy.port);
    provider = createProvider({
      kubeconfig: { yaml: identity.kubeconfig },
      export: THINGS_EXPORT,
      virtualWorkspaceUrl: proxied.toString(),
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      watch: { timeoutSeconds: WATCH_TIMEOUT_S },
      logger: pino({ level: "silent" }),
      handleSignals: false,
      shutdownTimeoutMs: 20_000,
    });
    provider.reconcile(
      Thing,
      async (t) => {
        if (t.spec.color === "slow" && hold) {
          // Lets the test silence the connections while this reconcile is about to write.
          held?.();
          await holding;
        }
        return { status: { phase: `Ready-${t.spec.color}` } };
      },
      { backoff: { baseMs: 200, maxMs: 2_000 } },
    );
    await provider.start();
  });

  afterAll(async () => {
    await provider?.stop();
    await proxy?.close();
    root.close();
  });

  it("reconciles updates made after every connection went silent, within deadline plus backoff", async () => {
    const names = Array.from({ length: N }, (_, i) => `s${i}`);
    await apply(
      consumer(),
      names.map((n) => thing(n, "red")),
    );
    await waitFor("all red", async () => {
      const phases = await Promise.all(names.map(phaseOf));
      return phases.every((p) => p === "Ready-red") ? true : undefined;
    });
    const silenced = proxy.silence();
    expect(silenced).toBeGreaterThan(0); // at least the watch; usually pooled write sockets too
    const changedAt = Date.now();
    await apply(
      consumer(),
      names.map((n) => thing(n, "green")),
    );
    // Silence is found by the watch's inactivity timer (8 s + 5 s); then each write that reuses a
    // silent pooled socket fails at its 3 s deadline and is retried on a fresh connection.
    const boundMs = (WATCH_TIMEOUT_S + 5) * 1000 + REQUEST_TIMEOUT_MS + 20_000;
    await waitFor(
      `all ${N} green after the silence`,
      async () => {
        const phases = await Promise.all(names.map(phaseOf));
        const green = phases.filter((p) => p === "Ready-green").length;
        if (green === N) return true;
        throw new Error(`${green}/${N} green`);
      },
      { timeoutMs: boundMs, intervalMs: 500 },
    );
    process.stderr.write(
      `[silent-connection] ${silenced} connections silenced; all ${N} reconciled ${Date.now() - changedAt} ms after the change\n`,
    );
  });

  it("a status write on a silent connection fails at its deadline and stop() returns", async () => {
    let release!: () => void;
    holding = new Promise<void>((r) => {
      release = r;
    });
    const reached = new Promise<void>((r) => {
      held = r;
    });
    hold = release;
    await apply(consumer(), [thing("hung", "slow")]);
    await reached;
    // The write that follows goes out on a pooled connection that is now silent.
    proxy.silence();
    release();
    hold = undefined;
    // It fails at the deadline and the retry lands on a fresh connection.
    await waitFor(
      "hung reconciled",
      async () => ((await phaseOf("hung")) === "Ready-slow" ? true : undefined),
      {
        timeoutMs: REQUEST_TIMEOUT_MS + 20_000,
      },
    );
    // With a silent connection among the open ones, stopping still ends, in about a deadline.
    proxy.silence();
    const t0 = Date.now();
    const result = await provider!.stop();
    expect(result.clean).toBe(true);
    expect(Date.now() - t0).toBeLessThan(REQUEST_TIMEOUT_MS + 5_000);
    const ready = getCondition(
      (await consumer().get<ThingObject>(`${THINGS_API}/namespaces/default/things/hung`))?.status?.conditions,
      "Ready",
    );
    expect(ready?.status).toBe("True");
  });
});
