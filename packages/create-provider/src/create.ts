import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import {
  FLAVOURS,
  type Flavour,
  kindFromDir,
  type ProjectOptions,
  pluralOf,
  SCOPES,
  type Scope,
  validate,
} from "./options.js";
import { renderProject } from "./templates.js";

/** What `create-provider --help` prints. */
export const HELP = `npm init @kcp-mesh/provider <dir> [-- options]
create-provider <dir> [options]

Writes a kcp provider project into <dir>, installs it and generates deploy/.
Asks for what the options do not say when run in a terminal (--yes: take the defaults).

  --kind <Kind>            PascalCase kind (default: from <dir>, e.g. my-widgets -> MyWidget)
  --plural <plural>        lowercase plural (default: from the kind, Widget -> widgets)
  --group <group>          API group and export name (default: <plural>.example.com)
  --scope <scope>          Namespaced (default) or Cluster
  --flavour <flavour>      httpbin (default: an HTTP endpoint per object, URL in status) or
                           minimal (the spec reported back in status: bring your own effect)
  --name <package>         npm package name (default: the folder name)
  --tarballs <dir>         take @kcp-mesh/sdk, codegen and dev from the npm pack tarballs in <dir>
                           (kcp-mesh-sdk-*.tgz, ...) instead of the registry, with the overrides
                           they need
  --sdk/--codegen/--dev <spec>   a version spec for one of them (default: this package's version)
  --no-install             only write the files (then: npm install && npm run generate)
  -y, --yes                do not ask; take the defaults
  -h, --help
`;

/** Where the messages of a run go; tests capture them. */
export interface CreateIo {
  out(line: string): void;
  err(line: string): void;
  /** Ask a question in a terminal; undefined when not interactive. */
  ask?: (question: string, fallback: string) => Promise<string>;
  /** Runs a command in the project (npm install, npm run generate). */
  run?: (cmd: string, args: string[], cwd: string) => Promise<number>;
}

function ownVersion(): string {
  for (const rel of ["../package.json", "../../package.json"]) {
    const p = new URL(rel, import.meta.url);
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@kcp-mesh/create-provider" && pkg.version) return pkg.version;
    }
  }
  return "latest";
}

function tarball(dir: string, prefix: string): string {
  const hits = readdirSync(dir).filter(
    (f) => f.startsWith(`${prefix}-`) && /^\d/.test(f.slice(prefix.length + 1)) && f.endsWith(".tgz"),
  );
  if (hits.length !== 1) {
    throw new Error(
      `--tarballs ${dir}: expected one ${prefix}-<version>.tgz, found ${hits.length ? hits.join(", ") : "none"}`,
    );
  }
  return `file:${join(resolve(dir), hits[0]!)}`;
}

function runCommand(cmd: string, args: string[], cwd: string): Promise<number> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd, stdio: "inherit", shell: process.platform === "win32" });
    child.on("error", rej);
    child.on("close", (code) => res(code ?? 1));
  });
}

async function terminalAsk(): Promise<CreateIo["ask"]> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  return async (question, fallback) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const a = (await rl.question(`${question} (${fallback}): `)).trim();
      return a || fallback;
    } finally {
      rl.close();
    }
  };
}

/** Runs `create-provider` with these arguments; returns the exit code. */
export async function create(argv: string[], io?: Partial<CreateIo>): Promise<number> {
  const out = io?.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = io?.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    err(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    err(`say where to create the project: create-provider <dir>\n\n${HELP}`);
    return 2;
  }
  const dir = resolve(positionals[0]!);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    err(`${dir} exists and is not empty: pick a new folder`);
    return 1;
  }
  const ask = values.yes ? undefined : io && "ask" in io ? io.ask : await terminalAsk();
  /** What was neither given nor asked (no terminal, no --yes): said once, so it is not a surprise. */
  const unasked: string[] = [];
  const question = async (label: string, given: string | undefined, fallback: string, flag: string) => {
    if (given !== undefined) return given;
    if (ask) return ask(label, fallback);
    if (!values.yes) unasked.push(`--${flag} ${fallback}`);
    return fallback;
  };

  const kind = await question("Kind (PascalCase)", values.kind, kindFromDir(dir), "kind");
  const plural = await question("Plural (lowercase)", values.plural, pluralOf(kind), "plural");
  const group = await question(
    "API group (also the export name)",
    values.group,
    `${plural}.example.com`,
    "group",
  );
  const scope = (await question(`Scope (${SCOPES.join("/")})`, values.scope, "Namespaced", "scope")) as Scope;
  const flavour = (await question(
    `Flavour (${FLAVOURS.join("/")})`,
    values.flavour ?? values.flavor,
    "httpbin",
    "flavour",
  )) as Flavour;
  if (unasked.length > 0) {
    out(
      `not a terminal, so nothing was asked; using ${unasked.join(" ")} (pass them to choose, or --yes to take the defaults quietly)`,
    );
  }
  const name = values.name ?? basename(dir).toLowerCase();

  let versions: ProjectOptions["versions"];
  try {
    const v = ownVersion();
    const pack = values.tarballs;
    versions = {
      sdk: values.sdk ?? (pack ? tarball(pack, "kcp-mesh-sdk") : v),
      codegen: values.codegen ?? (pack ? tarball(pack, "kcp-mesh-codegen") : v),
      dev: values.dev ?? (pack ? tarball(pack, "kcp-mesh-dev") : v),
    };
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  const options: ProjectOptions = { name, group, kind, plural, scope, flavour, versions };
  const problems = validate(options);
  if (problems.length > 0) {
    err(`cannot create the project:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return 2;
  }

  const files = renderProject(options);
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  const where = relative(process.cwd(), dir) || ".";
  out(`created ${where}: ${kind} (${plural}.${group}, ${scope}), flavour ${flavour}`);

  const run = io?.run ?? runCommand;
  if (values.install) {
    out("\n==> npm install");
    if ((await run("npm", ["install", "--no-audit", "--no-fund"], dir)) !== 0) {
      err(
        `npm install failed in ${where}; fix what it says, then: cd ${where} && npm install && npm run generate`,
      );
      return 1;
    }
    out("\n==> npm run generate (deploy/ from api/index.ts)");
    if ((await run("npm", ["run", "--silent", "generate"], dir)) !== 0) {
      err(`npm run generate failed in ${where}`);
      return 1;
    }
  }
  out(`
Next:
  cd ${where}${values.install ? "" : "\n  npm install && npm run generate"}
  npm run dev        # local kcp, provider workspace, a consumer with dev/sample.yaml, the provider, live
  npm test           # tests against a real kcp
See README.md.`);
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    options: {
      kind: { type: "string" },
      plural: { type: "string" },
      group: { type: "string" },
      scope: { type: "string" },
      flavour: { type: "string" },
      flavor: { type: "string" },
      name: { type: "string" },
      tarballs: { type: "string" },
      sdk: { type: "string" },
      codegen: { type: "string" },
      dev: { type: "string" },
      install: { type: "boolean", default: true },
      yes: { type: "boolean", short: "y" },
      help: { type: "boolean", short: "h" },
    },
  });
}
