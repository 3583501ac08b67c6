import { type SpawnOptions, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";
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
