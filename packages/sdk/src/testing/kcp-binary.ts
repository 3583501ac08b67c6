import { execFile, spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEFAULT_KCP_RELEASE_URL,
  downloadKcp,
  goPlatform,
  KcpChecksumError,
  KcpDownloadUnavailable,
} from "./kcp-download.js";

/** The kcp version the harness uses unless `KCP_VERSION` says otherwise. */
export const DEFAULT_KCP_VERSION = "v0.32.3";

/** What `startShardedKcp` needs besides `kcp`: only a build from source has these. */
export const SHARDED_KCP_BINARIES = [
  "kcp",
  "sharded-test-server",
  "cache-server",
  "kcp-front-proxy",
  "virtual-workspaces",
] as const;

/** Where the kcp binaries are: `kcp` itself and, when built here, the ones `sharded-test-server` starts. */
export interface KcpBinaries {
  dir: string;
  kcp: string;
  /** How they were found: `KCP_BIN`, `PATH`, `cache`, `download` or `build`. */
  source: "KCP_BIN" | "PATH" | "cache" | "download" | "build";
}

/** Options of {@link ensureKcpBinaries}. */
export interface EnsureKcpOptions {
  /** kcp release; default `KCP_VERSION` or {@link DEFAULT_KCP_VERSION}. */
  version?: string;
  /** Receives every step tried and progress lines of a download or build (default: stderr). */
  onProgress?: (line: string) => void;
  /** Binaries needed in one folder; default `["kcp"]` ({@link SHARDED_KCP_BINARIES} for a sharded kcp). */
  binaries?: readonly string[];
  /** Cache root; default `KCP_CACHE_DIR`, else `$XDG_CACHE_HOME/mesh-sdk/kcp` or `~/.cache/mesh-sdk/kcp`. */
  cacheDir?: string;
  /** Look at `kcp` on `PATH`; default true. */
  searchPath?: boolean;
  /**
   * Release folder URL to download from, `{version}` replaced (default `KCP_RELEASE_URL`, else
   * {@link DEFAULT_KCP_RELEASE_URL}); `false` (or `KCP_RELEASE_URL=off`) skips the download.
   */
  releaseUrl?: string | false;
  /** Build from the Go module proxy as the last resort; default true (`KCP_BUILD=off` says false). */
  build?: boolean;
}

/** The build script shipped with the SDK (same relative place from src/ and dist/). */
export const BUILD_SCRIPT = fileURLToPath(new URL("../../tools/kcp/build-kcp.sh", import.meta.url));

const off = (v: string | undefined) => v !== undefined && /^(off|false|0|no|none)$/i.test(v);

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on `PATH`. */
function onPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? "").split(delimiter)) {
    if (d && executable(join(d, name))) return join(d, name);
  }
  return undefined;
}

/** What `kcp --version` says, or the error. */
function kcpVersionOutput(kcp: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(kcp, ["--version"], { timeout: 15_000 }, (err, stdout, stderr) => {
      const out = `${stdout}${stderr}`.trim().split("\n")[0] ?? "";
      resolve(err && !out ? `(cannot run it: ${err.message})` : out);
    });
  });
}

/** kcp's release version in `kcp --version` output (`kcp version v1.34.2+kcp-v0.32.3`), if any. */
export function parseKcpVersion(output: string): string | undefined {
  return /\+kcp-(v\d+\.\d+\.\d+)\b/.exec(output)?.[1];
}

/** The cache folder of a version on this platform. */
export function kcpCacheDir(version: string, cacheRoot?: string): string {
  const root =
    cacheRoot ??
    process.env.KCP_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mesh-sdk", "kcp");
  const { os, arch } = goPlatform();
  return join(root, `${version}-${os}-${arch}`);
}

/**
 * Finds kcp, trying in this order and saying what it tried:
 *
 * 1. `KCP_BIN`, when set (used as it is);
 * 2. `kcp` on `PATH`, when `kcp --version` names the wanted version;
 * 3. the cache (`~/.cache/mesh-sdk/kcp/<version>-<os>-<arch>/bin`), from an earlier download or build;
 * 4. kcp's release archive for the version (GitHub by default, `KCP_RELEASE_URL` for a mirror),
 *    verified against the release's sha256 checksum file, with progress; a checksum mismatch fails
 *    here and installs nothing;
 * 5. a build from the Go module proxy (10-20 minutes the first time, with progress).
 *
 * A release archive holds `kcp` only; asking for more `binaries` (a sharded kcp) skips step 4.
 */
export async function ensureKcpBinaries(options: EnsureKcpOptions = {}): Promise<KcpBinaries> {
  const version = options.version ?? process.env.KCP_VERSION ?? DEFAULT_KCP_VERSION;
  const onProgress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const binaries = options.binaries ?? ["kcp"];
  const tried: string[] = [];
  const note = (line: string) => {
    tried.push(line);
    onProgress(`[kcp] ${line}`);
  };
  const lacking = (dir: string) => binaries.filter((b) => !executable(join(dir, b)));

  // 1. KCP_BIN
  const fromEnv = process.env.KCP_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`KCP_BIN=${fromEnv}: no such file`);
    return { dir: dirname(fromEnv), kcp: fromEnv, source: "KCP_BIN" };
  }
  note("KCP_BIN is not set");

  // 2. PATH
  if (options.searchPath ?? true) {
    const kcp = onPath("kcp");
    if (!kcp) {
      note("no kcp on PATH");
    } else {
      const said = await kcpVersionOutput(kcp);
      const found = parseKcpVersion(said);
      const missing = lacking(dirname(kcp));
      if (found !== version) {
        note(`kcp on PATH (${kcp}) says "${said}", not ${version}: not used`);
      } else if (missing.length > 0) {
        note(`kcp ${version} on PATH (${kcp}) has no ${missing.join(", ")} beside it: not used`);
      } else {
        onProgress(`[kcp] using kcp ${version} from PATH: ${kcp}`);
        return { dir: dirname(kcp), kcp, source: "PATH" };
      }
    }
  }

  // 3. cache
  const out = kcpCacheDir(version, options.cacheDir);
  const bin = join(out, "bin");
  const marked = existsSync(join(out, ".complete")) || existsSync(join(out, ".downloaded"));
  const missingInCache = lacking(bin);
  if (marked && missingInCache.length === 0) {
    onProgress(`[kcp] using cached kcp ${version}: ${join(bin, "kcp")}`);
    return { dir: bin, kcp: join(bin, "kcp"), source: "cache" };
  }
  note(
    marked
      ? `cached kcp ${version} in ${out} lacks ${missingInCache.join(", ")}`
      : `no cached kcp ${version} in ${out}`,
  );

  // 4. release archive
  const envUrl = process.env.KCP_RELEASE_URL;
  const releaseUrl = options.releaseUrl ?? (off(envUrl) ? false : (envUrl ?? DEFAULT_KCP_RELEASE_URL));
  if (releaseUrl === false) {
    note("release download turned off (releaseUrl: false or KCP_RELEASE_URL=off)");
  } else if (binaries.some((b) => b !== "kcp")) {
    note(`the release archive holds kcp only, not ${binaries.filter((b) => b !== "kcp").join(", ")}`);
  } else {
    mkdirSync(out, { recursive: true });
    try {
      const kcp = await downloadKcp({ version, baseUrl: releaseUrl, out, onProgress });
      const said = await kcpVersionOutput(kcp);
      const found = parseKcpVersion(said);
      if (found && found !== version) {
        throw new KcpChecksumError(
          `the downloaded kcp says "${said}", not ${version}; remove ${out} and check KCP_RELEASE_URL`,
        );
      }
      onProgress(`[kcp] using downloaded kcp ${version}: ${kcp} (${said})`);
      return { dir: bin, kcp, source: "download" };
    } catch (err) {
      if (!(err instanceof KcpDownloadUnavailable)) throw err;
      note(`no release download: ${err.message}`);
    }
  }

  // 5. build
  if (!(options.build ?? !off(process.env.KCP_BUILD))) {
    note("building from the Go module proxy turned off (build: false or KCP_BUILD=off)");
    throw new Error(`no kcp ${version} found. Tried:\n${tried.map((t) => `  - ${t}`).join("\n")}`);
  }
  note(`building kcp ${version} from the Go module proxy`);
  try {
    const dir = await build(version, out, onProgress);
    return { dir: join(dir, "bin"), kcp: join(dir, "bin", "kcp"), source: "build" };
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\nno kcp ${version} found. Tried:\n${tried.map((t) => `  - ${t}`).join("\n")}\n` +
        "Set KCP_BIN to a kcp binary, put kcp on PATH, or make the release download or the build possible.",
    );
  }
}

function build(version: string, out: string, onProgress: (line: string) => void): Promise<string> {
  const env = { ...process.env, KCP_VERSION: version, KCP_CACHE_DIR: dirname(out) };
  return new Promise<string>((resolve, reject) => {
    const child = spawn("bash", [BUILD_SCRIPT], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let tail: string[] = [];
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    let partial = "";
    child.stderr.on("data", (d: Buffer) => {
      const lines = (partial + d.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        tail = [...tail.slice(-30), line];
        if (line.startsWith("[kcp-build")) onProgress(line);
      }
    });
    child.on("error", (err) => reject(new Error(`cannot run ${BUILD_SCRIPT}: ${err.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve(stdout.trim().split("\n").pop() ?? "");
      else reject(new Error(`building kcp failed (exit ${code}):\n${tail.join("\n")}`));
    });
  });
}
