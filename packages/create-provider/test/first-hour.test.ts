import { type SpawnOptions, spawn } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { waitFor } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../../..");
const work = mkdtempSync(join(tmpdir(), "kcp-mesh-first-hour-"));
const keep = process.env.KEEP_FIRST_HOUR === "1";

/**
 * The environment of a person at a shell: no npm_* variables of the npm run that started this test,
 * and no node_modules/.bin of this repository on PATH, so `npm` runs on the machine's Node, and
 * the project's scripts on the Node the project pins.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((p) => !/[\\/]node_modules[\\/]\.bin$/.test(p))
    .join(delimiter);
  return { ...env, ...extra };
}

/** Runs a command like a person would; rejects with its output when it fails. */
export function sh(
  cmd: string,
  args: string[],
  cwd: string,
  extra: Record<string, string> = {},
): Promise<string> {
  return new Promise((res, rej) => {
    const opts: SpawnOptions = { cwd, env: userEnv(extra), stdio: ["ignore", "pipe", "pipe"] };
    const child = spawn(cmd, args, opts);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", rej);
    child.on("close", (code) =>
      code === 0
        ? res(stripVTControlCharacters(out))
        : rej(new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${code}:\n${out.slice(-6000)}`)),
    );
  });
}

let packs = process.env.PACK_DIR ?? "";
const tgz = (prefix: string) => {
  const file = readdirSync(packs).find((f) => new RegExp(`^${prefix}-\\d.*\\.tgz$`).test(f));
  if (!file) throw new Error(`no ${prefix}-<version>.tgz in ${packs}`);
  return join(packs, file);
};

beforeAll(async () => {
  if (!packs) {
    packs = (await sh("bash", [join(repo, "scripts/pack.sh"), join(work, "packs")], repo))
      .trim()
      .split("\n")
      .pop()!;
  }
});

afterAll(async () => {
  const project = join(work, "widgets");
  if (existsSync(join(project, ".kcp", "state.json")))
    await sh("npm", ["run", "--silent", "kcp:down"], project).catch(() => "");
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
});

describe("npm init @kcp-mesh/provider, from tarballs", () => {
  const project = join(work, "widgets");

  it("scaffolds the httpbin flavour, installs it and generates deploy/", async () => {
    // What `npm init @kcp-mesh/provider widgets -- --tarballs <dir>` runs, with the package not on a registry.
    const out = await sh(
      "npm",
      [
        "exec",
        "--yes",
        `--package=file:${tgz("kcp-mesh-create-provider")}`,
        "--",
        "create-provider",
        "widgets",
        "--tarballs",
        packs,
        "--yes",
      ],
      work,
    );
    expect(out).toContain(
      "created widgets: Widget (widgets.widgets.example.com, Namespaced), flavour httpbin",
    );
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    expect(pkg.overrides).toEqual({ "@kcp-mesh/sdk": `file:${tgz("kcp-mesh-sdk")}` });
    expect(readdirSync(join(project, "deploy")).sort()).toEqual([
      "apiexport.yaml",
      "apiresourceschema-widgets.widgets.example.com.yaml",
      "mesh-codegen.lock",
      "rbac-bind.yaml",
      "rbac-provider.yaml",
    ]);
    // npm scripts run on the pinned Node, whatever Node runs npm.
    expect((await sh("npm", ["exec", "--", "node", "--version"], project)).trim()).toBe(
      `v${pkg.devDependencies.node}`,
    );
  });

  it("checks, type-checks, builds and passes its tests as written", async () => {
    expect(await sh("npm", ["run", "--silent", "check"], project)).toContain("deploy: up to date");
    await sh("npm", ["run", "--silent", "typecheck"], project);
    await sh("npm", ["run", "--silent", "build"], project);
    expect(existsSync(join(project, "dist/src/main.js"))).toBe(true);
    const test = await sh("npm", ["test"], project);
    expect(test).toMatch(/Tests\s+1 passed/);
  });

  it("the minimal flavour, cluster-scoped, passes its tests against the project's local kcp", async () => {
    const up = await sh("npm", ["run", "--silent", "kcp:up"], project);
    expect(up).toMatch(/kcp ready at https:\/\/127\.0\.0\.1:\d+/);
    const minimal = join(work, "gadgets");
    await sh(
      "npm",
      [
        "exec",
        "--yes",
        `--package=file:${tgz("kcp-mesh-create-provider")}`,
        "--",
        "create-provider",
        "gadgets",
        "--tarballs",
        packs,
        "--kind",
        "Gadget",
        "--group",
        "gadgets.acme.dev",
        "--scope",
        "Cluster",
        "--flavour",
        "minimal",
        "--no-install",
      ],
      work,
    );
    // The same dependencies as the first project: share its node_modules instead of a second install.
    symlinkSync(join(project, "node_modules"), join(minimal, "node_modules"));
    await sh("npm", ["run", "--silent", "generate"], minimal);
    await sh("npm", ["run", "--silent", "typecheck"], minimal);
    const test = await sh("npm", ["test"], minimal, {
      KCP_KUBECONFIG: join(project, ".kcp", "admin.kubeconfig"),
    });
    expect(test).toMatch(/Tests\s+1 passed/);
  });
});

describe("npm run dev, the live loop", () => {
  const project = join(work, "widgets");

  /** Replaces one exact piece of a project file, as a person's edit would. */
  const edit = (file: string, from: string, to: string) => {
    const text = readFileSync(join(project, file), "utf8");
    if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
    writeFileSync(join(project, file), text.replace(from, to));
  };

  it("runs the provider on a sample, then follows an API change and a handler change", async () => {
    const dev = spawn("npm", ["run", "dev"], {
      cwd: project,
      env: userEnv(),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const collect = (d: Buffer) => {
      out += stripVTControlCharacters(d.toString());
    };
    dev.stdout?.on("data", collect);
    dev.stderr?.on("data", collect);
    // "close": every process holding the output pipes is gone (npm, mesh-dev, the provider).
    const closed = new Promise<{ code: number | null; signal: string | null }>((r) =>
      dev.once("close", (code, signal) => r({ code, signal })),
    );
    let from = 0;
    /** Waits until the output (after the last match) matches, and returns the match. */
    const until = (re: RegExp, timeoutMs = 180_000) =>
      waitFor(
        `mesh-dev to print ${re}`,
        async () => {
          const m = re.exec(out.slice(from));
          if (!m) return undefined;
          from += m.index + m[0].length;
          return m;
        },
        { timeoutMs, intervalMs: 250 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n--- mesh-dev output ---\n${out.slice(-8000)}`);
      });
    const consumer = KubeClient.fromKubeConfig({
      path: join(project, ".kcp", "admin.kubeconfig"),
    }).forWorkspace("root:dev:consumer");
    type Widget = KubeObject & {
      spec: { message: string; color?: string };
      status?: { phase?: string; color?: string };
    };
    const sample = () =>
      consumer.get<Widget>("/apis/widgets.example.com/v1alpha1/namespaces/default/widgets/sample");
    try {
      await until(/kcp already running/);
      const first = (
        await until(
          /consumer root:dev:consumer: bound to widgets\.example\.com \((v1alpha1-\w+)\.widgets\.widgets\.example\.com\)/,
        )
      )[1];
      await until(/dev\/sample\.yaml applied in root:dev:consumer: Widget default\/sample/);
      await until(/root:dev:consumer\s+Widget\s+default\/sample\s+True\s+Reconciled/);

      // An API change: a new optional field in spec and status; the sample sets it.
      edit(
        "api/index.ts",
        "      spec: z.object({\n",
        '      spec: z.object({\n        color: z.string().max(20).optional().describe("A new field."),\n',
      );
      edit(
        "api/index.ts",
        "      status: z.object({\n",
        "      status: z.object({\n        color: z.string().optional(),\n",
      );
      appendFileSync(join(project, "dev/sample.yaml"), "  color: blue\n");
      await until(/api\/index\.ts changed: regenerating deploy\//);
      const second = (
        await until(/consumer root:dev:consumer: bound to widgets\.example\.com \((v1alpha1-\w+)\.widgets/)
      )[1];
      expect(second).not.toBe(first); // a new schema, and the binding serves it
      await until(/deploy\/ applied: restarting the provider\n[\s\S]*?provider started/);
      // The new field is accepted (kcp prunes fields a schema does not have).
      await waitFor("spec.color to be kept", async () =>
        (await sample())?.spec.color === "blue" ? true : undefined,
      );
      expect((await sample())?.status?.color).toBeUndefined();

      // A handler change: write the new status field.
      edit(
        "src/provider.ts",
        'return { status: { url: server.url, phase: "Ready" } };',
        'return { status: { url: server.url, phase: "Ready", color: obj.spec.color } };',
      );
      await until(/src\/provider\.ts changed: restarting the provider/);
      await until(/provider started/);
      const done = await waitFor("status.color from the new handler", async () => {
        const o = await sample();
        return o?.status?.color === "blue" ? o : undefined;
      });
      expect(done.status?.phase).toBe("Ready");
      expect(readFileSync(join(project, "deploy/mesh-codegen.lock"), "utf8")).toContain("color");
    } finally {
      consumer.close();
      if (dev.exitCode === null && dev.pid) process.kill(-dev.pid, "SIGINT"); // Ctrl-C
    }
    // npm itself ends by the SIGINT it got (as at a terminal); mesh-dev stops the provider and ends.
    const end = await closed;
    expect(end.code === 0 || end.signal === "SIGINT", JSON.stringify(end)).toBe(true);
    expect(out).toMatch(/==> stopping the provider \.\.\.\n/);
    expect(out).not.toMatch(/mesh-dev: |Error:/);
    // It reused the kcp of npm run kcp:up, so it leaves it running.
    expect(await sh("npm", ["run", "--silent", "kcp:status"], project)).toMatch(/^running: /);
  });
});
