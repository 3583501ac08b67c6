import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Where kcp's release assets are, with `{version}` (`v0.32.3`) in it: GitHub's release download
 * folder of kcp. The archive is `kcp_<version without v>_<os>_<arch>.tar.gz` beside
 * `kcp_<version without v>_checksums.txt` (goreleaser's default names, which kcp's release uses).
 */
export const DEFAULT_KCP_RELEASE_URL = "https://github.com/kcp-dev/kcp/releases/download/{version}";

/** A checksum mismatch or a checksum file without the archive: never retried, never built around. */
export class KcpChecksumError extends Error {
  override name = "KcpChecksumError";
}

/** Go's names of this platform (`linux`/`darwin`, `amd64`/`arm64`), as kcp's release assets use them. */
export function goPlatform(): { os: string; arch: string } {
  const arch = ({ x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" } as Record<string, string>)[
    process.arch
  ];
  return { os: process.platform === "win32" ? "windows" : process.platform, arch: arch ?? process.arch };
}

/** The release asset URLs of a version: the archive for this platform and the checksum file. */
export function kcpReleaseAssets(
  version: string,
  baseUrl: string = DEFAULT_KCP_RELEASE_URL,
  platform = goPlatform(),
): { archiveName: string; archiveUrl: string; checksumsUrl: string } {
  const bare = version.replace(/^v/, "");
  const base = baseUrl.replaceAll("{version}", version).replace(/\/+$/, "");
  const archiveName = `kcp_${bare}_${platform.os}_${platform.arch}.tar.gz`;
  return {
    archiveName,
    archiveUrl: `${base}/${archiveName}`,
    checksumsUrl: `${base}/kcp_${bare}_checksums.txt`,
  };
}

/** The sha256 of `file` in a `sha256sum`-style checksum file (`<hex>  <name>` per line). */
export function checksumFor(checksums: string, file: string): string | undefined {
  for (const line of checksums.split("\n")) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line);
    if (m && (m[2] === file || m[2]!.endsWith(`/${file}`))) return m[1]!.toLowerCase();
  }
  return undefined;
}

const MB = 1024 * 1024;
const mb = (n: number) => (n / MB).toFixed(1);

/** Options of {@link downloadKcp}. */
export interface DownloadKcpOptions {
  version: string;
  /** Release folder URL (may hold `{version}`); default {@link DEFAULT_KCP_RELEASE_URL}. */
  baseUrl?: string;
  /** Folder that gets `bin/kcp` and a `.downloaded` note. */
  out: string;
  onProgress: (line: string) => void;
  /** No response (headers, or the next bytes of the body) for this long aborts; default 30 s. */
  idleTimeoutMs?: number;
}

/** Thrown for anything that lets the caller try the next way (no answer, 404, ...). */
export class KcpDownloadUnavailable extends Error {
  override name = "KcpDownloadUnavailable";
}

async function get(
  url: string,
  idleTimeoutMs: number,
): Promise<{ res: Response; idle: () => void; done: () => void }> {
  const ctl = new AbortController();
  let timer = setTimeout(
    () => ctl.abort(new Error(`no answer from ${url} for ${idleTimeoutMs / 1000}s`)),
    idleTimeoutMs,
  );
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => ctl.abort(new Error(`${url} stalled for ${idleTimeoutMs / 1000}s`)),
      idleTimeoutMs,
    );
  };
  const done = () => clearTimeout(timer);
  let res: Response;
  try {
    res = await fetch(url, { signal: ctl.signal, redirect: "follow" });
  } catch (err) {
    done();
    const e = err as Error & { cause?: Error };
    throw new KcpDownloadUnavailable(`GET ${url}: ${e.cause?.message ?? e.message}`);
  }
  if (!res.ok) {
    done();
    await res.body?.cancel();
    throw new KcpDownloadUnavailable(`GET ${url}: ${res.status} ${res.statusText}`);
  }
  return { res, idle, done };
}

/**
 * Downloads kcp's release archive for this platform, checks its sha256 against the release's
 * checksum file before anything is unpacked, and installs `bin/kcp` into `out`. A mismatch throws
 * {@link KcpChecksumError} and installs nothing; an unreachable or missing asset throws
 * {@link KcpDownloadUnavailable}. Progress lines go to `onProgress`.
 */
export async function downloadKcp(options: DownloadKcpOptions): Promise<string> {
  const { version, out, onProgress } = options;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const { archiveName, archiveUrl, checksumsUrl } = kcpReleaseAssets(version, options.baseUrl);
  const say = (line: string) => onProgress(`[kcp-download] ${line}`);

  say(`checksums: ${checksumsUrl}`);
  const sums = await get(checksumsUrl, idleTimeoutMs);
  const checksums = await sums.res.text().finally(sums.done);
  const expected = checksumFor(checksums, archiveName);
  if (!expected) {
    throw new KcpChecksumError(
      `${checksumsUrl} lists no checksum for ${archiveName}: not downloading an archive that cannot be verified`,
    );
  }

  const tmp = join(out, `.download-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(tmp, { recursive: true });
  try {
    say(`archive: ${archiveUrl}`);
    const { res, idle, done } = await get(archiveUrl, idleTimeoutMs);
    const total = Number(res.headers.get("content-length")) || 0;
    const hash = createHash("sha256");
    const started = Date.now();
    let received = 0;
    let lastReport = 0;
    let lastStep = -1;
    const report = (final = false) => {
      const pct = total ? Math.floor((received / total) * 100) : -1;
      const step = total ? Math.floor(pct / 10) : Math.floor(received / (20 * MB));
      const now = Date.now();
      if (!final && step === lastStep && now - lastReport < 5_000) return;
      lastStep = step;
      lastReport = now;
      const rate = received / MB / Math.max(0.001, (now - started) / 1000);
      say(`${mb(received)}${total ? ` of ${mb(total)} MB (${pct}%)` : " MB"}, ${rate.toFixed(1)} MB/s`);
    };
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        idle();
        received += chunk.length;
        hash.update(chunk);
        report();
        cb(null, chunk);
      },
    });
    const archive = join(tmp, archiveName);
    try {
      if (!res.body) throw new KcpDownloadUnavailable(`GET ${archiveUrl}: empty body`);
      await pipeline(
        Readable.fromWeb(res.body as import("node:stream/web").ReadableStream),
        meter,
        createWriteStream(archive),
      );
    } catch (err) {
      if (err instanceof KcpDownloadUnavailable) throw err;
      throw new KcpDownloadUnavailable(
        `GET ${archiveUrl} broke off after ${mb(received)} MB: ${(err as Error).message}`,
      );
    } finally {
      done();
    }
    report(true);
    const actual = hash.digest("hex");
    if (actual !== expected) {
      throw new KcpChecksumError(
        `checksum mismatch for ${archiveUrl}: sha256 ${actual}, but ${checksumsUrl} says ${expected}. ` +
          "Nothing was installed; the archive or the checksum file is not what kcp published " +
          "(a proxy rewriting downloads, a wrong KCP_RELEASE_URL, or tampering).",
      );
    }
    say(`sha256 ${actual} matches ${checksumsUrl}`);

    const unpacked = join(tmp, "x");
    await mkdir(unpacked);
    await run("tar", ["-xzf", archive, "-C", unpacked]);
    const found = await findFile(unpacked, "kcp");
    if (!found) throw new KcpDownloadUnavailable(`${archiveName} holds no kcp binary (looked for bin/kcp)`);
    await chmod(found, 0o755);
    await mkdir(join(out, "bin"), { recursive: true });
    await rename(found, join(out, "bin", "kcp"));
    await writeFile(
      join(out, ".downloaded"),
      `${JSON.stringify({ url: archiveUrl, sha256: actual, at: new Date().toISOString() }, null, 2)}\n`,
    );
    say(`installed ${join(out, "bin", "kcp")}`);
    return join(out, "bin", "kcp");
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** `bin/kcp` preferred, else any file named `name`, at most three levels down. */
async function findFile(dir: string, name: string, depth = 0): Promise<string | undefined> {
  const preferred = join(dir, "bin", name);
  if (
    await stat(preferred).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return preferred;
  const entries = await readdir(dir, { withFileTypes: true });
  const direct = entries.find((e) => e.isFile() && e.name === name);
  if (direct) return join(dir, direct.name);
  if (depth >= 3) return undefined;
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const f = await findFile(join(dir, e.name), name, depth + 1);
    if (f) return f;
  }
  return undefined;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.join(" ")} failed (exit ${code}): ${err.trim()}`)),
    );
  });
}
