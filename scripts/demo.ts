/**
 * `npm start`: the whole Platform Mesh flow on a local kcp. Providers publish APIs from
 * root:providers:<name>; two consumer workspaces bind them (claims accepted) and create objects;
 * the example providers run as their own least-privilege identities and reconcile; a live table
 * shows every object's Ready condition until Ctrl-C, which stops the providers and kcp.
 * Idempotent: a second run reuses kcp's data and everything in it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type Condition,
  getCondition,
  KubeClient,
  type KubeObject,
  selfSignedCertificate,
} from "@kcp-mesh/sdk";
import {
  apply,
  bindExport,
  bootstrapProvider,
  createWorkspace,
  freePorts,
  type PermissionClaim,
} from "@kcp-mesh/sdk/testing";
import { down, up } from "./kcp.js";

const root = resolve(import.meta.dirname, "..");
const stateDir = process.env.KCP_STATE_DIR ?? join(root, ".kcp");
const adminKubeconfig = join(stateDir, "admin.kubeconfig");
const CONSUMERS = ["root:orgs:acme:team-a", "root:orgs:acme:team-b"];

interface Example {
  name: string;
  exportName: string;
  claims: PermissionClaim[];
  kinds: { kind: string; path: string }[];
  samples: (consumer: string) => KubeObject[];
  /** It serves several API versions with a conversion webhook (kcp v0.32 runs no APIConversion). */
  convertsVersions?: boolean;
}

/** Where a provider serves its conversion webhook, and the TLS kcp trusts it with. */
interface Webhook {
  port: number;
  cert: string;
  key: string;
}

const secretsClaim = (verbs: string[]): PermissionClaim => ({ group: "", resource: "secrets", verbs });

/** The example providers of examples/, in the order they start (a provider before its users). */
const ALL_EXAMPLES: Example[] = [
  {
    name: "httpbin",
    exportName: "httpbin.examples.kcp-mesh.io",
    claims: [],
    kinds: [{ kind: "HttpBin", path: "/apis/httpbin.examples.kcp-mesh.io/v1alpha1/httpbins" }],
    convertsVersions: true,
    samples: (c) => [
      {
        apiVersion: "httpbin.examples.kcp-mesh.io/v1alpha1",
        kind: "HttpBin",
        metadata: { name: "hello", namespace: "default" },
        spec: { message: `hello from ${c}` },
      },
    ],
  },
  {
    name: "database",
    exportName: "databases.examples.kcp-mesh.io",
    claims: [
      secretsClaim(["get", "list", "watch", "create", "update", "patch", "delete"]),
      { group: "", resource: "events", verbs: ["create"] },
    ],
    kinds: [{ kind: "Database", path: "/apis/databases.examples.kcp-mesh.io/v1alpha1/databases" }],
    samples: () => [
      {
        apiVersion: "databases.examples.kcp-mesh.io/v1alpha1",
        kind: "Database",
        metadata: { name: "orders", namespace: "default" },
        spec: {},
      },
    ],
  },
  {
    name: "app",
    exportName: "apps.examples.kcp-mesh.io",
    claims: [secretsClaim(["get", "list", "watch"])],
    kinds: [{ kind: "App", path: "/apis/apps.examples.kcp-mesh.io/v1alpha1/apps" }],
    samples: () => [
      {
        apiVersion: "apps.examples.kcp-mesh.io/v1alpha1",
        kind: "App",
        metadata: { name: "shop", namespace: "default" },
        spec: { databaseRef: { name: "orders" } },
      },
    ],
  },
];
const EXAMPLES = ALL_EXAMPLES.filter((e) => existsSync(join(root, "examples", e.name, "src", "main.ts")));

const step = (msg: string) => console.log(`\x1b[1m==>\x1b[0m ${msg}`);

/**
 * The conversion webhook of a provider, kept in the state folder: its URL and CA are part of the
 * schema, so a new port or certificate on every run would publish a new schema every run.
 */
async function webhookOf(ex: Example): Promise<Webhook> {
  const dir = join(stateDir, "providers");
  const file = join(dir, `${ex.name}-webhook.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Webhook;
  const tls = selfSignedCertificate({ hosts: ["127.0.0.1"] });
  const webhook: Webhook = {
    port: (await freePorts(1))[0]!,
    cert: join(dir, `${ex.name}-webhook.crt`),
    key: join(dir, `${ex.name}-webhook.key`),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(webhook.cert, tls.cert);
  writeFileSync(webhook.key, tls.key, { mode: 0o600 });
  writeFileSync(file, `${JSON.stringify(webhook)}\n`);
  return webhook;
}

interface Provider {
  kubeconfig: string;
  webhook?: Webhook;
}

async function setUp(admin: KubeClient): Promise<Map<string, Provider>> {
  const providers = new Map<string, Provider>();
  for (const ex of EXAMPLES) {
    step(`provider ${ex.name}: root:providers:${ex.name} (schemas, export, RBAC, identity)`);
    const kubeconfig = join(stateDir, "providers", `${ex.name}.kubeconfig`);
    const webhook = ex.convertsVersions ? await webhookOf(ex) : undefined;
    await bootstrapProvider(admin, {
      workspace: `root:providers:${ex.name}`,
      deployDir: join(root, "examples", ex.name, "deploy"),
      identityName: `${ex.name}-provider`,
      kubeconfigPath: kubeconfig,
      ...(webhook && {
        conversionWebhook: {
          url: `https://127.0.0.1:${webhook.port}/convert`,
          caBundle: readFileSync(webhook.cert, "utf8"),
        },
      }),
    });
    providers.set(ex.name, { kubeconfig, ...(webhook && { webhook }) });
  }
  for (const path of CONSUMERS) {
    step(`consumer ${path}: bind ${EXAMPLES.map((e) => e.exportName).join(", ")}`);
    await createWorkspace(admin, path);
    const consumer = admin.forWorkspace(path);
    for (const ex of EXAMPLES) {
      await bindExport(
        consumer,
        { path: `root:providers:${ex.name}`, name: ex.exportName },
        { acceptClaims: ex.claims },
      );
    }
  }
  return providers;
}

function startProviders(providers: Map<string, Provider>): ChildProcess[] {
  return EXAMPLES.map((ex) => {
    const { kubeconfig, webhook } = providers.get(ex.name)!;
    step(
      `starting the ${ex.name} provider${webhook ? ` (conversion webhook on 127.0.0.1:${webhook.port})` : ""}`,
    );
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", join(root, "examples", ex.name, "src", "main.ts")],
      {
        cwd: join(root, "examples", ex.name),
        env: {
          ...process.env,
          PROVIDER_KUBECONFIG: kubeconfig,
          ...(webhook && {
            CONVERSION_WEBHOOK_PORT: String(webhook.port),
            CONVERSION_WEBHOOK_CERT: webhook.cert,
            CONVERSION_WEBHOOK_KEY: webhook.key,
          }),
          LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
        },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    return child;
  });
}

async function createSamples(admin: KubeClient): Promise<void> {
  for (const path of CONSUMERS) {
    const consumer = admin.forWorkspace(path);
    for (const ex of EXAMPLES) await apply(consumer, ex.samples(path), { fieldManager: "kcp-mesh-demo" });
  }
  step(`sample objects created in ${CONSUMERS.join(" and ")}`);
}

async function table(admin: KubeClient): Promise<string> {
  const rows: string[][] = [["WORKSPACE", "KIND", "NAME", "READY", "MESSAGE"]];
  for (const path of CONSUMERS) {
    for (const ex of EXAMPLES) {
      for (const k of ex.kinds) {
        const list = await admin
          .forWorkspace(path)
          .get<{ items: (KubeObject & { status?: { conditions?: Condition[] } })[] }>(k.path);
        for (const o of list?.items ?? []) {
          const ready = getCondition(o.status?.conditions, "Ready");
          const msg = ready
            ? `${ready.reason}${ready.message ? `: ${ready.message}` : ""}`
            : "(not reconciled yet)";
          rows.push([
            path,
            k.kind,
            `${o.metadata.namespace}/${o.metadata.name}`,
            ready?.status ?? "-",
            msg.slice(0, 70),
          ]);
        }
      }
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  await up();
  const admin = KubeClient.fromKubeConfig({ path: adminKubeconfig }).forWorkspace("root");
  const providers = await setUp(admin);
  const children = startProviders(providers);
  await createSamples(admin);
  const k = `kubectl --kubeconfig ${adminKubeconfig}`;
  const server = admin.baseUrl.origin;
  const help = `
Poke it (in another shell):
  ${k} get workspaces
  ${k} --server=${server}/clusters/root:orgs:acme:team-a get httpbins,databases,apps,secrets
  curl "$(${k} --server=${server}/clusters/root:orgs:acme:team-a get httpbin hello -o jsonpath='{.status.url}')/get"
  ${k} --server=${server}/clusters/root:orgs:acme:team-a get httpbins.v1beta1.httpbin.examples.kcp-mesh.io hello -o jsonpath='{.spec}{"\\n"}'
Ctrl-C stops the providers and kcp (data stays in .kcp/; npm run kcp:reset removes it).`;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping the providers ...");
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null) return r();
            c.once("exit", () => r());
            c.kill("SIGTERM");
          }),
      ),
    );
    admin.close();
    await down();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());

  let last = "";
  for (;;) {
    if (stopping) return;
    const t = await table(admin).catch((err: Error) => `(cannot read objects: ${err.message})`);
    if (process.stdout.isTTY) {
      process.stdout.write(`\x1b[2J\x1b[H${t}\n${help}\n`);
    } else if (t !== last) {
      console.log(`\n${t}`);
      if (!last) console.log(help);
    }
    last = t;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

main().catch((err: Error) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
