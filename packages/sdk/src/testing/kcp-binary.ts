import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The kcp version the harness builds unless `KCP_VERSION` says otherwise. */
export const DEFAULT_KCP_VERSION = "v0.32.3";

/** Where the kcp binaries are: `kcp` itself and, when built here, the ones `sharded-test-server` starts. */
export interface KcpBinaries {
  dir: string;
  kcp: string;
}

export interface EnsureKcpOptions {
  /** kcp release to build; default `KCP_VERSION` or {@link DEFAULT_KCP_VERSION}. */
  version?: string;
  /** Receives progress lines of a build (default: written to stderr). */
  onProgress?: (line: string) => void;
}

/** The build script shipped with the SDK (same relative place from src/ and dist/). */
export const BUILD_SCRIPT = fileURLToPath(new URL("../../tools/kcp/build-kcp.sh", import.meta.url));

/**
 * Finds a kcp binary: `KCP_BIN` if set, else builds kcp from the Go module proxy into a cache
 * keyed by version (seconds when cached, 10-20 minutes the first time, with progress).
 */
export async function ensureKcpBinaries(options: EnsureKcpOptions = {}): Promise<KcpBinaries> {
  const fromEnv = process.env.KCP_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`KCP_BIN=${fromEnv}: no such file`);
    return { dir: dirname(fromEnv), kcp: fromEnv };
  }
  const onProgress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = { ...process.env };
  if (options.version) env.KCP_VERSION = options.version;
  const dir = await new Promise<string>((resolve, reject) => {
    const child = spawn("bash", [BUILD_SCRIPT], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let tail: string[] = [];
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
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
      if (code === 0) resolve(out.trim().split("\n").pop() ?? "");
      else reject(new Error(`building kcp failed (exit ${code}):\n${tail.join("\n")}`));
    });
  });
  return { dir: join(dir, "bin"), kcp: join(dir, "bin", "kcp") };
}
