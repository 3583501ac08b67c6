import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { ensureKcpBinaries, KcpChecksumError, kcpCacheDir, kcpReleaseAssets } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const VERSION = "v0.32.3";

async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  await pipeline(createReadStream(file), h);
  return h.digest("hex");
}

/**
 * The download path with a real kcp: a release-shaped archive of the locally built binary, served
 * from 127.0.0.1 with its checksum file, and installed into an empty cache.
 */
describe("kcp from a release archive (the locally built kcp, served from 127.0.0.1)", () => {
  const work = mkdtempSync(join(tmpdir(), "kcp-download-"));
  const { archiveName } = kcpReleaseAssets(VERSION);
  let local = "";
  let localSha = "";
  let archiveSha = "";
  let checksums = "";
  let server: Server;
  let base = "";
  const savedBin = process.env.KCP_BIN;

  beforeAll(async () => {
    local = (await ensureKcpBinaries({ version: VERSION, releaseUrl: false, onProgress: () => {} })).kcp;
    localSha = await sha256File(local);
    // bin/kcp, as kcp's goreleaser archive has it (a symlink, archived as the file: tar -h).
    mkdirSync(join(work, "stage", "bin"), { recursive: true });
    symlinkSync(local, join(work, "stage", "bin", "kcp"));
    const tar = spawn("tar", ["-chf", "-", "-C", join(work, "stage"), "bin"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await pipeline(tar.stdout, createGzip({ level: 1 }), createWriteStream(join(work, archiveName)));
    archiveSha = await sha256File(join(work, archiveName));
    server = createServer((req, res) => {
      if (req.url === `/${VERSION}/${archiveName}`) {
        res.writeHead(200, { "content-length": statSync(join(work, archiveName)).size });
        createReadStream(join(work, archiveName)).pipe(res);
      } else if (req.url === `/${VERSION}/kcp_${VERSION.slice(1)}_checksums.txt`) {
        res.writeHead(200).end(checksums);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/{version}`;
    delete process.env.KCP_BIN;
  }, 180_000);

  afterAll(async () => {
    if (savedBin !== undefined) process.env.KCP_BIN = savedBin;
    await new Promise((r) => server?.close(r));
    rmSync(work, { recursive: true, force: true });
  });

  const download = (cacheDir: string, lines: string[]) =>
    ensureKcpBinaries({
      version: VERSION,
      cacheDir,
      searchPath: false,
      releaseUrl: base,
      build: false,
      onProgress: (l) => lines.push(l),
    });

  it("a bad checksum fails clearly and installs nothing", async () => {
    checksums = `${"0".repeat(64)}  ${archiveName}\n`;
    const cache = join(work, "bad");
    const lines: string[] = [];
    const err = await download(cache, lines).catch((e: Error) => e);
    expect(err).toBeInstanceOf(KcpChecksumError);
    expect((err as Error).message).toContain(`sha256 ${archiveSha}, but`);
    expect((err as Error).message).toContain("Nothing was installed");
    expect(readdirSync(kcpCacheDir(VERSION, cache))).toEqual([]);
  });

  it("a good checksum installs the binary (the same bytes, executable)", async () => {
    checksums = `${archiveSha}  ${archiveName}\n`;
    const cache = join(work, "good");
    const lines: string[] = [];
    const got = await download(cache, lines);
    expect(got.source).toBe("download");
    expect(await sha256File(got.kcp)).toBe(localSha);
    expect(lines.filter((l) => /\(\d+%\)/.test(l)).length).toBeGreaterThanOrEqual(2); // progress shown
    expect(existsSync(join(kcpCacheDir(VERSION, cache), ".downloaded"))).toBe(true);
    // The same bytes as the kcp every other test runs on, installed executable.
    const version = await new Promise<string>((resolve, reject) =>
      execFile(got.kcp, ["--version"], (err, out) => (err ? reject(err) : resolve(out))),
    );
    expect(version).toMatch(/^kcp version /);
  });
});
