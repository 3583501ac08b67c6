/** What {@link generateCommand} decides from. */
export interface GenerateInputs {
  /** The project's package.json `scripts`. */
  scripts: Record<string, string> | undefined;
  api: string;
  out: string;
  allowBreaking: boolean;
  /** The Node running mesh-dev, and npm's CLI when mesh-dev runs under npm (`npm_execpath`). */
  node: string;
  npmExecPath: string | undefined;
  /** `mesh-codegen`'s script, for projects without a `generate` script. */
  codegenBin: string;
}

/**
 * How the live loop regenerates `deploy/`: through the project's own `generate` script when it runs
 * `mesh-codegen generate`, so the flags a team put there (`--bind-group`, `--marketplace`, ...) apply
 * in the loop exactly as in CI and `deploy/` never loses what they add; otherwise
 * `mesh-codegen generate <api> --out <out>`.
 */
export function generateCommand(o: GenerateInputs): { cmd: string; args: string[]; shown: string } {
  const breaking = o.allowBreaking ? ["--allow-breaking"] : [];
  if (o.scripts?.generate?.includes("mesh-codegen generate")) {
    const npmArgs = ["run", "--silent", "generate", ...(breaking.length ? ["--", ...breaking] : [])];
    const shown = `npm ${npmArgs.join(" ")}`;
    return o.npmExecPath
      ? { cmd: o.node, args: [o.npmExecPath, ...npmArgs], shown }
      : { cmd: "npm", args: npmArgs, shown };
  }
  const args = [o.codegenBin, "generate", o.api, "--out", o.out, ...breaking];
  return { cmd: o.node, args, shown: `mesh-codegen ${args.slice(1).join(" ")}` };
}
