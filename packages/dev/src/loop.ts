import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, type FSWatcher, readFileSync, statSync, watch } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Condition, getCondition, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import {
  apply,
  bindExport,
  bootstrapProvider,
  createWorkspace,
  parseYamlObjects,
  waitFor,
} from "@kcp-mesh/sdk/testing";
import { type Change, classifyChange } from "./changes.js";
import { generateCommand } from "./generate-command.js";
import { LocalKcp } from "./local-kcp.js";
import { collectionPath, type Deployed, defaultSamples, readDeploy } from "./project.js";

/** Options of the live loop; paths relative to `project`. */
export interface DevOptions {
  /** The provider project (default: the current folder). */
  project: string;
  /** The API module (default `api/index.ts`); a change under its folder regenerates and re-applies. */
  api: string;
  /** Where `mesh-codegen generate` writes (default `deploy`). */
  out: string;
  /** The provider's entry point (default `src/main.ts`), run with `PROVIDER_KUBECONFIG` set; a change under its folder restarts it. */
  entry: string;
  /** Objects to create in the consumer workspace (default `dev/sample.yaml`; one `sample` per resource without it). */
  sample: string;
  /** The consumer workspace (default `root:dev:consumer`). */
  consumer: string;
  /** The provider workspace (default `root:providers:<plural of the first resource>`). */
  workspace?: string;
  /** The provider's service account (default `<plural>-provider`). */
  identity?: string;
  /** Admin kubeconfig of a kcp to use instead of the local one. */
  kubeconfig?: string;
  /** State folder of the local kcp (default `.kcp`). */
  kcpDir: string;
  /** Pass `--allow-breaking` to `mesh-codegen generate`. */
  allowBreaking: boolean;
  /** Leave a kcp this run started running at exit. */
  keepKcp: boolean;
  /** How often the table is refreshed (default 2000 ms). */
  intervalMs: number;
}

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith(".ts");

/** The live loop: see {@link DevOptions} and the README of a scaffolded project. */
export class DevLoop {
  private readonly o: DevOptions;
  private admin!: KubeClient;
  private kcp?: LocalKcp;
  private kcpStarted = false;
  private deployed!: Deployed;
  private provider?: ChildProcess;
  private providerKubeconfig = "";
  private providerStopping = false;
  private lastBootstrap = 0;
  private watchers: FSWatcher[] = [];
  private pending = new Map<Change, string>();
  private timer?: NodeJS.Timeout;
  private busy = false;
  private lastTable = "";
  private stopping = false;
  private tableTimer?: NodeJS.Timeout;
  private readonly tty = Boolean(process.stdout.isTTY);
  private readonly path: (p: string) => string;

  constructor(options: DevOptions) {
    this.o = options;
    this.path = (p) => resolve(options.project, p);
  }

  private say(msg: string): void {
    console.log(this.tty ? `\x1b[1m==>\x1b[0m ${msg}` : `==> ${msg}`);
  }

  /** Runs until {@link stop}; resolves once everything is up. */
  async start(): Promise<void> {
    await this.kcpUp();
    if (!(await this.generate()) && !existsSync(this.path(this.o.out))) {
      throw new Error(`no ${this.o.out}/: fix the API module and start again`);
    }
    await this.deploy();
    await this.applySample();
    this.startProvider();
    this.watch();
    this.say(
      `watching ${this.watchedDirs()
        .map((d) => relative(this.o.project, d) || ".")
        .join(
          ", ",
        )}: an API change regenerates and re-applies, a handler change restarts the provider (Ctrl-C stops)`,
    );
    const tick = async () => {
      await this.printTable();
      if (!this.stopping) this.tableTimer = setTimeout(() => void tick(), this.o.intervalMs);
    };
    void tick();
  }

  private async kcpUp(): Promise<void> {
    if (this.o.kubeconfig) {
      const path = this.path(this.o.kubeconfig);
      this.admin = KubeClient.fromKubeConfig({ path }).forWorkspace("root");
      this.providerKubeconfig = join(dirname(path), "providers");
      this.say(`kcp: ${this.admin.baseUrl.origin} (${path})`);
      return;
    }
    const dir = this.path(this.o.kcpDir);
    this.kcp = new LocalKcp(dir, (l) => this.say(`kcp: ${l.trim()}`));
    this.kcpStarted = (await this.kcp.up()).started;
    this.admin = KubeClient.fromKubeConfig({ path: this.kcp.kubeconfig }).forWorkspace("root");
    this.providerKubeconfig = join(dir, "providers");
  }

  private codegenBin(): string {
    const local = join(this.o.project, "node_modules", ".bin", "mesh-codegen");
    if (existsSync(local)) return local;
    // The code generator this package depends on: <root>/{src,dist}/index -> <root>/bin/mesh-codegen.js.
    const entry = fileURLToPath(import.meta.resolve("@kcp-mesh/codegen"));
    return join(dirname(dirname(entry)), "bin", "mesh-codegen.js");
  }

  /** Regenerates deploy/ (see {@link generateCommand}); false (with its output shown) when it refuses. */
  private async generate(): Promise<boolean> {
    const pkgFile = join(this.o.project, "package.json");
    const scripts = existsSync(pkgFile)
      ? (JSON.parse(readFileSync(pkgFile, "utf8")) as { scripts?: Record<string, string> }).scripts
      : undefined;
    const { cmd, args, shown } = generateCommand({
      scripts,
      api: this.o.api,
      out: this.o.out,
      allowBreaking: this.o.allowBreaking,
      node: process.execPath,
      npmExecPath: process.env.npm_execpath,
      codegenBin: this.codegenBin(),
    });
    const { code, output } = await run(cmd, args, this.o.project);
    if (code !== 0) {
      process.stdout.write(output);
      this.say(
        `${shown} failed (above); the provider keeps the last good API.${
          /break/i.test(output) ? " While nobody depends on this version: mesh-dev --allow-breaking" : ""
        }`,
      );
      return false;
    }
    this.say(`${output.trim()}`);
    return true;
  }

  /** Provider workspace from deploy/ (a fresh token each time), consumer workspace bound to the export. */
  private async deploy(): Promise<void> {
    this.deployed = readDeploy(this.path(this.o.out));
    const first = this.deployed.resources[0];
    if (!first) throw new Error(`${this.o.out}/apiexport.yaml exports no resources`);
    const workspace = this.o.workspace ?? `root:providers:${first.plural}`;
    const identity = this.o.identity ?? `${first.plural}-provider`;
    const kubeconfigPath = join(this.providerKubeconfig, `${first.plural}.kubeconfig`);
    const boot = await bootstrapProvider(this.admin, {
      workspace,
      deployDir: this.path(this.o.out),
      identityName: identity,
      kubeconfigPath,
    });
    this.providerKubeconfig = dirname(kubeconfigPath);
    this.lastBootstrap = Date.now();
    this.say(
      `provider workspace ${workspace}: ${boot.applied.length} objects from ${this.o.out}/ applied; identity ${boot.identity.username} (${relative(this.o.project, kubeconfigPath)})`,
    );
    await createWorkspace(this.admin, this.o.consumer);
    const consumer = this.admin.forWorkspace(this.o.consumer);
    await bindExport(
      consumer,
      { path: workspace, name: this.deployed.exportName },
      { acceptClaims: this.deployed.claims },
    );
    // The binding follows the export to its new schemas; wait until it serves them.
    const want = this.deployed.resources.map((r) => r.schema);
    await waitFor(
      `the APIBinding in ${this.o.consumer} to serve ${want.join(", ")}`,
      async () => {
        const b = await consumer.get<{ status?: { boundResources?: { schema?: { name?: string } }[] } }>(
          `/apis/apis.kcp.io/v1alpha2/apibindings/${this.deployed.exportName}`,
        );
        const bound = new Set((b?.status?.boundResources ?? []).map((r) => r.schema?.name));
        return want.every((s) => bound.has(s)) ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    this.say(`consumer ${this.o.consumer}: bound to ${this.deployed.exportName} (${want.join(", ")})`);
  }

  private async applySample(): Promise<void> {
    const file = this.path(this.o.sample);
    const objects = existsSync(file)
      ? parseYamlObjects(readFileSync(file, "utf8"))
      : defaultSamples(this.deployed);
    const consumer = this.admin.forWorkspace(this.o.consumer);
    try {
      await waitFor(
        "the sample objects to apply",
        async () => {
          await apply(consumer, objects, { fieldManager: "mesh-dev" });
          return true;
        },
        { timeoutMs: 20_000 },
      );
      const names = objects.map(
        (o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`,
      );
      this.say(
        `${existsSync(file) ? this.o.sample : "default samples"} applied in ${this.o.consumer}: ${names.join(", ")}`,
      );
    } catch (err) {
      this.say(`${this.o.sample} could not be applied: ${(err as Error).message}`);
    }
  }

  private startProvider(): void {
    const kubeconfig = join(this.providerKubeconfig, `${this.deployed.resources[0]!.plural}.kubeconfig`);
    const args = [
      ...(fromSource ? ["--conditions=source"] : []),
      "--import",
      import.meta.resolve("tsx"),
      this.o.entry,
    ];
    const child = spawn(process.execPath, args, {
      cwd: this.o.project,
      env: { ...process.env, PROVIDER_KUBECONFIG: kubeconfig },
      stdio: ["ignore", "inherit", "inherit"],
    });
    this.provider = child;
    this.providerStopping = false;
    this.say(`provider started (pid ${child.pid}): ${this.o.entry}`);
    child.once("exit", (code, signal) => {
      if (this.provider !== child || this.providerStopping || this.stopping) return;
      this.provider = undefined;
      this.say(`provider exited (${signal ?? `code ${code}`}); it starts again when a file changes`);
    });
  }

  private async stopProvider(): Promise<void> {
    const child = this.provider;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.provider = undefined;
      return;
    }
    this.providerStopping = true;
    await new Promise<void>((res) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => {
        clearTimeout(kill);
        res();
      });
      child.kill("SIGTERM");
    });
    this.provider = undefined;
  }

  private async restartProvider(why: string): Promise<void> {
    this.say(`${why}: restarting the provider`);
    await this.stopProvider();
    // The identity's token lives 24 h: fetch a fresh one now and then.
    if (Date.now() - this.lastBootstrap > 12 * 3600_000) await this.deploy();
    this.startProvider();
  }

  private watchedDirs(): string[] {
    const dirs = [
      dirname(this.path(this.o.api)),
      dirname(this.path(this.o.entry)),
      dirname(this.path(this.o.sample)),
    ];
    return [...new Set(dirs)].filter((d) => existsSync(d));
  }

  private watch(): void {
    for (const dir of this.watchedDirs()) {
      const w = watch(dir, { recursive: true }, (_event, name) => {
        if (!name) return;
        const file = join(dir, name.toString());
        const change = classifyChange(file, {
          api: this.path(this.o.api),
          entry: this.path(this.o.entry),
          sample: this.path(this.o.sample),
        });
        if (!change) return;
        // Only files that exist and changed content matter; deletes count as changes too.
        if (existsSync(file) && statSync(file).isDirectory()) return;
        this.pending.set(change, relative(this.o.project, file));
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.process(), 300);
      });
      this.watchers.push(w);
    }
  }

  private async process(): Promise<void> {
    if (this.busy || this.stopping) return;
    this.busy = true;
    try {
      while (this.pending.size > 0 && !this.stopping) {
        const changes = new Map(this.pending);
        this.pending.clear();
        const api = changes.get("api");
        if (api) {
          this.say(`${api} changed: regenerating ${this.o.out}/`);
          if (await this.generate()) {
            await this.deploy();
            await this.applySample();
            await this.restartProvider(`${this.o.out}/ applied`);
          }
          continue;
        }
        if (changes.has("sample")) await this.applySample();
        const handler = changes.get("handler");
        if (handler) await this.restartProvider(`${handler} changed`);
      }
    } catch (err) {
      this.say(`${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
    await this.printTable();
  }

  /** The objects of the consumer workspace and their Ready condition, printed when it changed. */
  async table(): Promise<string> {
    const rows: string[][] = [["WORKSPACE", "KIND", "NAME", "READY", "MESSAGE"]];
    const consumer = this.admin.forWorkspace(this.o.consumer);
    for (const r of this.deployed.resources) {
      const list = await consumer.get<{ items: (KubeObject & { status?: { conditions?: Condition[] } })[] }>(
        collectionPath(r),
      );
      for (const o of list?.items ?? []) {
        const ready = getCondition(o.status?.conditions, "Ready");
        const msg = ready
          ? `${ready.reason ?? ""}${ready.message ? `: ${ready.message}` : ""}`
          : "(not reconciled yet)";
        const name = o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!;
        rows.push([this.o.consumer, r.kind, name, ready?.status ?? "-", msg.slice(0, 80)]);
      }
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    return rows
      .map((row) =>
        row
          .map((c, i) => c.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n");
  }

  private async printTable(): Promise<void> {
    if (this.stopping || this.busy) return;
    const t = await this.table().catch((err: Error) => `(cannot read objects: ${err.message})`);
    if (t !== this.lastTable) {
      console.log(`\n${t}\n`);
      this.lastTable = t;
    }
  }

  /** Stops the provider and the watchers, and the local kcp when this run started it. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.timer);
    clearTimeout(this.tableTimer);
    for (const w of this.watchers) w.close();
    this.say("stopping the provider ...");
    await this.stopProvider();
    this.admin?.close();
    if (this.kcp && this.kcpStarted && !this.o.keepKcp) await this.kcp.down();
  }
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("error", (err) => res({ code: 1, output: `${cmd}: ${err.message}\n` }));
    child.on("close", (code) => res({ code: code ?? 1, output }));
  });
}
