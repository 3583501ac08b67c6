import type { ProjectOptions } from "./options.js";

/**
 * Versions of the tools a new project pins, the same as this repository's: Node 24 as a
 * devDependency (npm scripts run on it whatever Node the machine has), TypeScript, tsx, vitest.
 * `templates.test.ts` checks they match the repository's package.json files.
 */
export const PINNED = {
  node: "24.9.0",
  engines: ">=22.19.0",
  zod: "^4.6.7",
  tsx: "^4.23.15",
  typescript: "~5.9.3",
  vitest: "^5.1.1",
  typesNode: "^24.19.2",
} as const;

/** The files of a new project, path -> content (deploy/ comes from `npm run generate`). */
export function renderProject(o: ProjectOptions): Record<string, string> {
  const files: Record<string, string> = {
    "package.json": packageJson(o),
    ".gitignore": "node_modules/\ndist/\n.kcp/\n*.tsbuildinfo\n",
    "tsconfig.json": tsconfig(),
    "tsconfig.build.json": tsconfigBuild(),
    "vitest.config.ts": vitestConfig(),
    "api/index.ts": api(o),
    "src/provider.ts": o.flavour === "httpbin" ? httpbinProvider(o) : minimalProvider(o),
    "src/main.ts": o.flavour === "httpbin" ? httpbinMain(o) : minimalMain(o),
    "src/bootstrap.ts": bootstrap(o),
    "test/global-setup.ts": globalSetup(),
    "test/provider.test.ts": providerTest(o),
    "dev/sample.yaml": sample(o),
    Dockerfile: dockerfile(o),
    "README.md": readme(o),
  };
  if (o.flavour === "httpbin") files["src/servers.ts"] = servers(o);
  return files;
}

const ns = (o: ProjectOptions) => o.scope === "Namespaced";
const identity = (o: ProjectOptions) => `${o.plural}-provider`;
const providerWorkspace = (o: ProjectOptions) => `root:providers:${o.plural}`;

function packageJson(o: ProjectOptions): string {
  const file = (spec: string) => spec.startsWith("file:");
  const pkg: Record<string, unknown> = {
    name: o.name,
    version: "0.1.0",
    private: true,
    description: `kcp provider of ${o.kind} (${o.group})`,
    type: "module",
    engines: { node: PINNED.engines },
    scripts: {
      dev: "mesh-dev",
      generate: "mesh-codegen generate api/index.ts --out deploy",
      check: "mesh-codegen check api/index.ts --out deploy",
      typecheck: "tsc -p tsconfig.json",
      build: "tsc -p tsconfig.build.json",
      test: "vitest run",
      bootstrap: "tsx src/bootstrap.ts",
      start: "tsx src/main.ts",
      "kcp:up": "mesh-dev kcp up",
      "kcp:down": "mesh-dev kcp down",
      "kcp:status": "mesh-dev kcp status",
      "kcp:reset": "mesh-dev kcp reset",
    },
    dependencies: { "@kcp-mesh/sdk": o.versions.sdk, zod: PINNED.zod },
    devDependencies: {
      "@kcp-mesh/codegen": o.versions.codegen,
      "@kcp-mesh/dev": o.versions.dev,
      "@types/node": PINNED.typesNode,
      node: PINNED.node,
      tsx: PINNED.tsx,
      typescript: PINNED.typescript,
      vitest: PINNED.vitest,
    },
    allowScripts: { node: true, esbuild: true },
  };
  // @kcp-mesh/codegen and @kcp-mesh/dev depend on @kcp-mesh/sdk by version; an SDK from a tarball
  // must replace that too, or npm looks for the version on the registry.
  if (file(o.versions.sdk)) pkg.overrides = { "@kcp-mesh/sdk": o.versions.sdk };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function tsconfig(): string {
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: "ES2023",
        lib: ["ES2023"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        noEmit: true,
        types: ["node"],
      },
      include: ["api", "src", "test", "vitest.config.ts"],
    },
    null,
    2,
  )}\n`;
}

function tsconfigBuild(): string {
  return `${JSON.stringify(
    {
      extends: "./tsconfig.json",
      compilerOptions: { noEmit: false, outDir: "dist", rootDir: "." },
      include: ["api", "src"],
    },
    null,
    2,
  )}\n`;
}

function vitestConfig(): string {
  return `import { defineConfig } from "vitest/config";

// Tests run against a real kcp that test/global-setup.ts starts (and stops) for the run.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
`;
}

function api(o: ProjectOptions): string {
  const fields =
    o.flavour === "httpbin"
      ? {
          spec: `message: z.string().max(200).default("hello from ${o.kind}").describe("What GET / answers with."),`,
          status: `url: z.string().optional().describe("Where the endpoint answers."),
        phase: z.enum(["Pending", "Ready", "Failed"]).optional(),`,
          columns: `{ name: "URL", type: "string", jsonPath: ".status.url" },
        { name: "Phase", type: "string", jsonPath: ".status.phase" },`,
        }
      : {
          spec: `message: z.string().max(200).default("hello").describe("Reported back in status.message."),`,
          status: `phase: z.enum(["Pending", "Ready", "Failed"]).optional(),
        message: z.string().optional().describe("spec.message, as the provider last saw it."),`,
          columns: `{ name: "Phase", type: "string", jsonPath: ".status.phase" },
        { name: "Message", type: "string", jsonPath: ".status.message" },`,
        };
  return `// The ${o.kind} API: the one definition mesh-codegen turns into deploy/ and the provider uses for
// types and validation. After a change: \`npm run generate\` (or let \`npm run dev\` do it).
import { defineApi, defineResource, type Infer } from "@kcp-mesh/sdk/api";
import { z } from "zod";

export const ${o.kind} = defineResource({
  group: "${o.group}",
  kind: "${o.kind}",
  plural: "${o.plural}",
  scope: "${o.scope}",
  versions: {
    v1alpha1: {
      storage: true,
      spec: z.object({
        ${fields.spec}
      }),
      status: z.object({
        ${fields.status}
      }),
      printerColumns: [
        ${fields.columns}
      ],
    },
  },
});

/** A ${o.kind} as the handler sees it: valid, with defaults applied. */
export type ${o.kind}Object = Infer<typeof ${o.kind}>;

export default defineApi({ name: "${o.group}", resources: [${o.kind}] });
`;
}

function httpbinProvider(o: ProjectOptions): string {
  return `import { createProvider, type Provider, type ProviderOptions } from "@kcp-mesh/sdk";
import { ${o.kind} } from "../api/index.js";
import { ServerPool } from "./servers.js";

/** The APIExport this provider serves (\`defineApi({ name })\` in api/index.ts). */
export const EXPORT_NAME = "${o.group}";

/**
 * For each ${o.kind} in any workspace that binds the export: serve a small HTTP endpoint on
 * 127.0.0.1 and report its URL in status; stop it when the object is deleted (finalizer), turns
 * invalid, or its workspace leaves. Replace {@link ServerPool} with your own effect.
 */
export function create${o.kind}Provider(options: Omit<ProviderOptions, "export">): {
  provider: Provider;
  servers: ServerPool;
} {
  const servers = new ServerPool();
  const provider = createProvider({ ...options, export: EXPORT_NAME });
  // The same name in two workspaces is two objects: the workspace is part of every key.
  const keyOf = (workspace: string, obj: { metadata: { namespace?: string; name?: string } }) =>
    [workspace, obj.metadata.namespace, obj.metadata.name].filter(Boolean).join("/");

  provider.reconcile(
    ${o.kind},
    async (obj, ctx) => {
      const server = await servers.ensure(keyOf(ctx.workspace, obj), { message: obj.spec.message });
      ctx.log.info({ url: server.url }, "endpoint serving");
      return { status: { url: server.url, phase: "Ready" } };
    },
    {
      finalize: async (obj, ctx) => {
        await servers.remove(keyOf(ctx.workspace, obj));
        ctx.log.info("endpoint stopped");
      },
      // An edit the schema rejects: withdraw the endpoint; this status replaces the old one.
      onInvalid: async (obj, _issues, ctx) => {
        await servers.remove(keyOf(ctx.workspace, obj));
        return { status: { phase: "Failed" } };
      },
    },
  );
  provider.onDisengage((workspace) => servers.removeWorkspace(workspace));
  return { provider, servers };
}
`;
}

function minimalProvider(o: ProjectOptions): string {
  return `import { createProvider, type Provider, type ProviderOptions } from "@kcp-mesh/sdk";
import { ${o.kind} } from "../api/index.js";

/** The APIExport this provider serves (\`defineApi({ name })\` in api/index.ts). */
export const EXPORT_NAME = "${o.group}";

/**
 * For each ${o.kind} in any workspace that binds the export: report spec.message back in status.
 * Put your effect in the handler (idempotent: it runs again on every change and retry) and its
 * cleanup in \`finalize\`.
 */
export function create${o.kind}Provider(options: Omit<ProviderOptions, "export">): { provider: Provider } {
  const provider = createProvider({ ...options, export: EXPORT_NAME });
  provider.reconcile(
    ${o.kind},
    async (obj, ctx) => {
      ctx.log.info({ message: obj.spec.message }, "reconciling");
      return { status: { phase: "Ready", message: obj.spec.message } };
    },
    {
      finalize: async (_obj, ctx) => {
        ctx.log.info("cleaned up");
      },
    },
  );
  return { provider };
}
`;
}

const kubeconfigCheck = `const kubeconfig = process.env.PROVIDER_KUBECONFIG;
if (!kubeconfig) {
  console.error("Set PROVIDER_KUBECONFIG to the provider identity's kubeconfig (\`npm run bootstrap\` writes one).");
  process.exit(2);
}`;

const metricsOptions = `...(process.env.METRICS_PORT && { metricsPort: Number(process.env.METRICS_PORT) }),
  ...(process.env.METRICS_HOST && { metricsHost: process.env.METRICS_HOST }),`;

function httpbinMain(o: ProjectOptions): string {
  return `// The entry point: \`npm start\`, \`npm run dev\`, or \`node dist/src/main.js\` in the container.
import { create${o.kind}Provider } from "./provider.js";

${kubeconfigCheck}
const { provider, servers } = create${o.kind}Provider({
  kubeconfig,
  handleSignals: false,
  ${metricsOptions}
});
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    // A second signal does not cut the drain short: it ends by itself (shutdownTimeoutMs + grace).
    if (stopping) return;
    stopping = true;
    // Drain running reconciles first, then take the endpoints down.
    void provider.stop().then(async (r) => {
      await servers.closeAll();
      // Non-zero when a reconcile ignored its abort signal (the provider logged which).
      process.exit(r.clean ? 0 : 1);
    });
  });
}
// start() rejects when the provider cannot work; the provider has logged why, once.
await provider.start().catch(async () => {
  await servers.closeAll();
  process.exit(1);
});
`;
}

function minimalMain(o: ProjectOptions): string {
  return `// The entry point: \`npm start\`, \`npm run dev\`, or \`node dist/src/main.js\` in the container.
import { create${o.kind}Provider } from "./provider.js";

${kubeconfigCheck}
// SIGTERM/SIGINT drain running reconciles, then the process exits.
const { provider } = create${o.kind}Provider({
  kubeconfig,
  ${metricsOptions}
});
// start() rejects when the provider cannot work; the provider has logged why, once.
await provider.start().catch(() => process.exit(1));
`;
}

function bootstrap(o: ProjectOptions): string {
  return `// \`npm run bootstrap\`: sets up the provider workspace (schemas, export, RBAC, a provider identity
// and its kubeconfig) from deploy/. Idempotent. \`npm run dev\` does this for you.
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { KubeClient } from "@kcp-mesh/sdk";
import { bootstrapProvider } from "@kcp-mesh/sdk/testing";

const { values } = parseArgs({
  options: {
    "admin-kubeconfig": { type: "string", default: process.env.ADMIN_KUBECONFIG ?? ".kcp/admin.kubeconfig" },
    workspace: { type: "string", default: "${providerWorkspace(o)}" },
    out: { type: "string" },
  },
});
const adminPath = resolve(values["admin-kubeconfig"]);
const out = resolve(values.out ?? join(dirname(adminPath), "providers", "${o.plural}.kubeconfig"));
const admin = KubeClient.fromKubeConfig({ path: adminPath }).forWorkspace("root");
const result = await bootstrapProvider(admin, {
  workspace: values.workspace,
  deployDir: resolve(import.meta.dirname, "../deploy"),
  identityName: "${identity(o)}",
  kubeconfigPath: out,
});
admin.close();
console.log(\`provider workspace \${result.workspace.path} ready (\${result.applied.length} objects applied)\`);
console.log(\`provider identity \${result.identity.username}: kubeconfig written to \${out}\`);
console.log(\`run the provider: PROVIDER_KUBECONFIG=\${out} npm start\`);
`;
}

function globalSetup(): string {
  return `import { kcpGlobalSetup, type ProvidedKcp } from "@kcp-mesh/sdk/testing";

// One real kcp for the test run: KCP_BIN, kcp on PATH, the cache, a checked download, or a build.
// KCP_KUBECONFIG=.kcp/admin.kubeconfig runs the tests against a kcp that runs already (npm run kcp:up).
export const { setup, teardown } = kcpGlobalSetup();

declare module "vitest" {
  export interface ProvidedContext {
    kcp: ProvidedKcp;
  }
}
`;
}

function providerTest(o: ProjectOptions): string {
  const path = ns(o)
    ? `\`/apis/${o.group}/v1alpha1/namespaces/default/${o.plural}/\${name}\``
    : `\`/apis/${o.group}/v1alpha1/${o.plural}/\${name}\``;
  const meta = ns(o) ? `{ name, namespace: "default" }` : "{ name }";
  const cleanup = o.flavour === "httpbin" ? "\n    await app?.servers.closeAll();" : "";
  const cases =
    o.flavour === "httpbin"
      ? `  it("serves an endpoint per object, reports its URL, and stops it on delete", async () => {
    await apply(consumer, [object("hello", "hi there")]);
    const ready = await waitFor("hello to be Ready", async () => {
      const o = await read("hello");
      return readyOf(o)?.status === "True" ? o : undefined;
    });
    expect(ready.status?.phase).toBe("Ready");
    const url = ready.status!.url!;
    const body = (await (await fetch(\`\${url}/get\`)).json()) as { message: string };
    expect(body.message).toBe("hi there");

    await consumer.request({ method: "DELETE", path: path("hello") });
    await waitFor("hello to be gone", async () => ((await read("hello")) ? undefined : true));
    await expect(fetch(\`\${url}/get\`)).rejects.toThrow();
  });
`
      : `  it("reports spec.message in status, and follows a change", async () => {
    await apply(consumer, [object("hello", "hi there")]);
    const ready = await waitFor("hello to be Ready", async () => {
      const o = await read("hello");
      return readyOf(o)?.status === "True" ? o : undefined;
    });
    expect(ready.status).toMatchObject({ phase: "Ready", message: "hi there" });

    await apply(consumer, [object("hello", "changed")]);
    await waitFor("status.message to follow", async () =>
      (await read("hello"))?.status?.message === "changed" ? true : undefined,
    );
    await consumer.request({ method: "DELETE", path: path("hello") });
    await waitFor("hello to be gone", async () => ((await read("hello")) ? undefined : true));
  });
`;
  return `import { resolve } from "node:path";
import { type Condition, createLogger, getCondition, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { apply, bindExport, bootstrapProvider, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ${o.kind}Object } from "../api/index.js";
import { create${o.kind}Provider, EXPORT_NAME } from "../src/provider.js";

// Each run uses workspaces of its own names, so runs against one kcp do not meet.
describe("${o.kind} provider on a real kcp", () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const admin = KubeClient.fromKubeConfig({ path: inject("kcp").kubeconfigPath }).forWorkspace("root");
  let consumer: KubeClient;
  let app: ReturnType<typeof create${o.kind}Provider> | undefined;

  const path = (name: string) => ${path};
  const read = (name: string) => consumer.get<${o.kind}Object>(path(name));
  const readyOf = (o: ${o.kind}Object | undefined) =>
    getCondition((o?.status as { conditions?: Condition[] } | undefined)?.conditions, "Ready");
  const object = (name: string, message: string): KubeObject => ({
    apiVersion: \`\${EXPORT_NAME}/v1alpha1\`,
    kind: "${o.kind}",
    metadata: ${meta},
    spec: { message },
  });

  beforeAll(async () => {
    // The provider workspace as \`npm run bootstrap\` sets it up, and its least-privilege identity.
    const provider = await bootstrapProvider(admin, {
      workspace: \`root:test-\${suffix}:provider\`,
      deployDir: resolve(import.meta.dirname, "../deploy"),
      identityName: "${identity(o)}",
    });
    // A consumer: its own workspace, bound to the export.
    const ws = await createWorkspace(admin, \`root:test-\${suffix}:consumer\`);
    consumer = admin.forWorkspace(ws.path);
    await bindExport(consumer, { path: provider.workspace.path, name: EXPORT_NAME });
    // The provider, under the identity production gives it (TEST_LOG_LEVEL=info to see its log).
    app = create${o.kind}Provider({
      kubeconfig: { yaml: provider.identity.kubeconfig },
      logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      handleSignals: false,
    });
    await app.provider.start();
  });

  afterAll(async () => {
    await app?.provider.stop();${cleanup}
    admin.close();
  });

${cases}});
`;
}

function sample(o: ProjectOptions): string {
  return `# What \`npm run dev\` creates in its consumer workspace (root:dev:consumer). Edit it while the
# live loop runs: it is applied again on every change.
apiVersion: ${o.group}/v1alpha1
kind: ${o.kind}
metadata:
  name: sample${ns(o) ? "\n  namespace: default" : ""}
spec:
  message: hello from the live loop
`;
}

function servers(o: ProjectOptions): string {
  return `import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** A running endpoint of one ${o.kind}. */
export interface RunningServer {
  url: string;
  port: number;
}

/**
 * The provider's effect: one small HTTP server per ${o.kind} on 127.0.0.1, keyed by the object's
 * workspace/namespace/name. Replace it with what your provider really does.
 */
export class ServerPool {
  private readonly servers = new Map<string, { server: Server; info: RunningServer; message: string }>();

  /** Starts (or keeps) the server of a key; a changed message is served without a restart. */
  async ensure(key: string, options: { message: string }): Promise<RunningServer> {
    const existing = this.servers.get(key);
    if (existing) {
      existing.message = options.message;
      return existing.info;
    }
    const entry = { message: options.message } as { server: Server; info: RunningServer; message: string };
    const server = createServer((req, res) => handle(req, res, entry.message, key));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    const addr = server.address();
    const port = typeof addr === "object" && addr ? addr.port : 0;
    entry.server = server;
    entry.info = { url: \`http://127.0.0.1:\${port}\`, port };
    this.servers.set(key, entry);
    return entry.info;
  }

  /** Stops the server of a key; resolves once its port is free. */
  async remove(key: string): Promise<void> {
    const entry = this.servers.get(key);
    if (!entry) return;
    this.servers.delete(key);
    entry.server.closeAllConnections();
    await new Promise<void>((resolve) => entry.server.close(() => resolve()));
  }

  /** Stops every server of a workspace. */
  async removeWorkspace(workspace: string): Promise<void> {
    const prefix = \`\${workspace}/\`;
    await Promise.all([...this.servers.keys()].filter((k) => k.startsWith(prefix)).map((k) => this.remove(k)));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((k) => this.remove(k)));
  }
}

function handle(req: IncomingMessage, res: ServerResponse, message: string, key: string): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const json = (status: number, body: unknown) =>
    res.writeHead(status, { "Content-Type": "application/json" }).end(\`\${JSON.stringify(body, null, 2)}\\n\`);
  if (url.pathname === "/" || url.pathname === "/get") json(200, { message, object: key });
  else if (url.pathname === "/healthz") res.writeHead(200).end("ok");
  else json(404, { error: "not found", try: ["/get"] });
}
`;
}

function dockerfile(o: ProjectOptions): string {
  return `# docker build -t ${o.plural}-provider .
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json* ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY api ./api
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production METRICS_PORT=8080 METRICS_HOST=0.0.0.0
COPY package.json package-lock.json* ./
RUN npm install --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# A young generation of 2 MiB semi-spaces (V8 otherwise grows it well past that): in the SDK's benchmark
# a provider's peak RSS while syncing 10,000 objects went from ~250 to ~130 MiB at the same CPU (README of
# @kcp-mesh/sdk, "Benchmark"). Raise or drop it for a provider whose handlers allocate a lot.
ENV NODE_OPTIONS=--max-semi-space-size=2
USER node
EXPOSE 8080
# PROVIDER_KUBECONFIG: mount the provider identity's kubeconfig (npm run bootstrap writes one).
CMD ["node", "dist/src/main.js"]
`;
}

function readme(o: ProjectOptions): string {
  const effect =
    o.flavour === "httpbin"
      ? `For every \`${o.kind}\` in any workspace that binds its API, it serves a small HTTP endpoint on
127.0.0.1, reports the URL in status, and stops it when the object is deleted.`
      : `For every \`${o.kind}\` in any workspace that binds its API, it reports \`spec.message\` back in
status; put your own effect in the handler.`;
  const files = [
    ["`api/index.ts`", `the API in zod: \`${o.kind}\` (${o.scope}) in \`${o.group}\``],
    [
      "`deploy/`",
      "generated by `npm run generate` (APIResourceSchema, APIExport, RBAC, `mesh-codegen.lock`): commit it; `npm run check` fails when it is stale",
    ],
    ["`src/provider.ts`", "the reconcile handler and its cleanup"],
    ...(o.flavour === "httpbin" ? [["`src/servers.ts`", "the effect: one HTTP server per object"]] : []),
    ["`src/main.ts`", "the entry point (`npm start`, `npm run dev`, the container)"],
    ["`src/bootstrap.ts`", "`npm run bootstrap`: the provider workspace and identity, idempotently"],
    ["`dev/sample.yaml`", "the object `npm run dev` creates for you to watch"],
    ["`test/`", "tests against a real kcp that the test run starts"],
    ["`Dockerfile`", "the container image"],
  ];
  return `# ${o.name}

A kcp / Platform Mesh service provider for \`${o.kind}\` objects, made with \`npm init @kcp-mesh/provider\`.
${effect}

| file | what |
| --- | --- |
${files.map(([f, w]) => `| ${f} | ${w} |`).join("\n")}

## Node

\`npm\` runs every script on the Node this project pins as a devDependency (\`node\` ${PINNED.node}), so
the machine's Node does not matter as long as it runs \`npm\` (Node ≥ 20). The SDK needs Node
${PINNED.engines.replace(">=", "≥ ")} (\`engines\`); the container uses \`node:24-slim\`.

## Develop live

\`\`\`sh
npm run dev
\`\`\`

starts a local kcp (state in \`.kcp/\`, admin kubeconfig \`.kcp/admin.kubeconfig\`; reused when it runs),
sets up the provider workspace \`${providerWorkspace(o)}\` from \`deploy/\`, creates the consumer workspace
\`root:dev:consumer\` bound to the export with \`dev/sample.yaml\` in it, runs the provider, and prints a
table of objects and their \`Ready\` condition. Edit \`api/\`: it regenerates \`deploy/\`, applies it (a
new schema, the export updated) and restarts the provider. Edit \`src/\`: it restarts the provider.
Edit \`dev/sample.yaml\`: it applies it. Ctrl-C stops the provider (and kcp, when it started it).

A change that breaks the published version (a field removed, a new required field) is refused by
\`mesh-codegen\` with the field named: add a new version, or \`npm run dev -- --allow-breaking\` while
nobody depends on this one.

## Test

\`\`\`sh
npm test            # starts its own kcp, bootstraps, binds a consumer, runs the provider
npm run typecheck
npm run check       # deploy/ is what api/ generates (run in CI)
KCP_KUBECONFIG=.kcp/admin.kubeconfig npm test   # against the kcp of npm run dev / kcp:up, without starting one
\`\`\`

kcp comes from \`KCP_BIN\`, \`kcp\` on \`PATH\` (when it is the SDK's version), the cache
\`~/.cache/mesh-sdk/kcp\`, kcp's GitHub release (its sha256 checked), or a build from the Go module
proxy (Go ≥ 1.25, 10-20 minutes once); each step it tries is printed.

## Run it against a kcp

\`\`\`sh
npm run kcp:up                  # or use your kcp: --admin-kubeconfig below
npm run bootstrap               # prints where it wrote the provider identity's kubeconfig
PROVIDER_KUBECONFIG=.kcp/providers/${o.plural}.kubeconfig npm start
\`\`\`

The provider runs with only the rights of the generated \`${o.group}:provider\` role. Its kubeconfig
holds a service-account token that \`bootstrap\` requests with the TokenRequest API: it is valid for
24 hours (\`createServiceAccountIdentity({ expirationSeconds })\` of \`@kcp-mesh/sdk/testing\` makes
others). Run \`npm run bootstrap\` again for a fresh one and restart the provider (\`npm run dev\` does
this at each start); in production, mount a
projected service-account token or a kubeconfig your secret store rotates, and rotate on suspicion.
Keep it like a production secret.

## Container

\`\`\`sh
docker build -t ${o.plural}-provider .
docker run -v $PWD/.kcp/providers/${o.plural}.kubeconfig:/kubeconfig:ro -e PROVIDER_KUBECONFIG=/kubeconfig ${o.plural}-provider
\`\`\`

Logs are JSON lines when stdout is not a terminal (readable lines on a terminal; \`LOG_FORMAT=json\`
or \`pretty\` forces one); \`/metrics\`, \`/healthz\`, \`/readyz\` on \`METRICS_PORT\`.
`;
}
