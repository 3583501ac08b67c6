import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureKcpBinaries, kcpCacheDir, parseKcpVersion } from "./kcp-binary.js";
import { checksumFor, KcpChecksumError, kcpReleaseAssets } from "./kcp-download.js";

const VERSION = "v0.32.3";

/** A stand-in kcp: a script that answers --version like a released kcp does. */
function fakeKcp(dir: string, version = VERSION): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "kcp");
  writeFileSync(file, `#!/bin/sh\necho "kcp version v1.34.2+kcp-${version}"\n`);
  chmodSync(file, 0o755);
  return file;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("kcp acquisition (a fake kcp, a release served from 127.0.0.1)", () => {
  const work = mkdtempSync(join(tmpdir(), "kcp-download-unit-"));
  const { archiveName } = kcpReleaseAssets(VERSION);
  let archive: Buffer;
  let checksums = "";
  const requests: string[] = [];
  let server: Server;
  let base = "";
  const saved = { KCP_BIN: process.env.KCP_BIN, PATH: process.env.PATH };

  beforeAll(async () => {
    // Release-shaped: kcp_<v>_<os>_<arch>.tar.gz holding bin/kcp and a LICENSE, as goreleaser packs it.
    const stage = join(work, "stage");
    fakeKcp(join(stage, "bin"));
    writeFileSync(join(stage, "LICENSE"), "Apache-2.0\n");
    execFileSync("tar", ["-czf", join(work, archiveName), "-C", stage, "bin", "LICENSE"]);
    archive = readFileSync(join(work, archiveName));
    server = createServer((req, res) => {
      requests.push(req.url ?? "");
      const [, version, file] = (req.url ?? "").split("/");
      if (version !== VERSION) return res.writeHead(404).end();
      if (file === archiveName) return res.writeHead(200, { "content-length": archive.length }).end(archive);
      if (file === `kcp_${VERSION.slice(1)}_checksums.txt`) return res.writeHead(200).end(checksums);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/{version}`;
    delete process.env.KCP_BIN;
  });
  afterEach(() => {
    requests.length = 0;
  });
  afterAll(async () => {
    process.env.KCP_BIN = saved.KCP_BIN;
    if (saved.KCP_BIN === undefined) delete process.env.KCP_BIN;
    process.env.PATH = saved.PATH;
    await new Promise((r) => server.close(r));
    rmSync(work, { recursive: true, force: true });
  });

  const ensure = (cacheDir: string, lines: string[], extra = {}) =>
    ensureKcpBinaries({
      version: VERSION,
      cacheDir,
      searchPath: false,
      releaseUrl: base,
      build: false,
      onProgress: (l) => lines.push(l),
      ...extra,
    });

  it("parses checksum files and kcp's version line", () => {
    const sum = "a".repeat(64);
    expect(
      checksumFor(
        `${sum}  other.tar.gz\n${"b".repeat(64)}  kcp_0.32.3_linux_amd64.tar.gz\n`,
        "kcp_0.32.3_linux_amd64.tar.gz",
      ),
    ).toBe("b".repeat(64));
    expect(checksumFor(`${sum} *dist/x.tgz`, "x.tgz")).toBe(sum);
    expect(checksumFor(`${sum}  y.tgz`, "x.tgz")).toBeUndefined();
    expect(parseKcpVersion("kcp version v1.34.2+kcp-v0.32.3")).toBe("v0.32.3");
    expect(parseKcpVersion("kcp version v0.0.0-master+$Format:%H$")).toBeUndefined();
    expect(
      kcpReleaseAssets("v0.32.3", "https://example.test/kcp/{version}/", { os: "darwin", arch: "arm64" }),
    ).toEqual({
      archiveName: "kcp_0.32.3_darwin_arm64.tar.gz",
      archiveUrl: "https://example.test/kcp/v0.32.3/kcp_0.32.3_darwin_arm64.tar.gz",
      checksumsUrl: "https://example.test/kcp/v0.32.3/kcp_0.32.3_checksums.txt",
    });
  });

  it("downloads the archive, verifies its published checksum, installs bin/kcp, and reuses it from the cache", async () => {
    checksums = `${"0".repeat(64)}  kcp_0.32.3_checksums.txt.sig\n${sha256(archive)}  ${archiveName}\n`;
    const cache = join(work, "cache-good");
    const lines: string[] = [];
    const got = await ensure(cache, lines);
    expect(got.source).toBe("download");
    expect(got.kcp).toBe(join(kcpCacheDir(VERSION, cache), "bin", "kcp"));
    expect(execFileSync(got.kcp, ["--version"]).toString()).toContain("+kcp-v0.32.3");
    expect(requests).toEqual([`/${VERSION}/kcp_0.32.3_checksums.txt`, `/${VERSION}/${archiveName}`]);
    const text = lines.join("\n");
    expect(text).toContain("[kcp] KCP_BIN is not set");
    expect(text).toContain(`[kcp] no cached kcp ${VERSION} in`);
    expect(text).toMatch(/\[kcp-download\] [\d.]+ of [\d.]+ MB \(100%\)/);
    expect(text).toContain(`sha256 ${sha256(archive)} matches`);
    // Nothing but bin/ and the note is left in the cache folder.
    expect(readdirSync(kcpCacheDir(VERSION, cache)).sort()).toEqual([".downloaded", "bin"]);

    const again: string[] = [];
    const cached = await ensure(cache, again);
    expect(cached).toEqual({ ...got, source: "cache" });
    expect(requests).toHaveLength(2);
    expect(again.at(-1)).toBe(`[kcp] using cached kcp ${VERSION}: ${got.kcp}`);
  });

  it("a bad checksum fails clearly and installs nothing (and does not fall back to a build)", async () => {
    checksums = `${"f".repeat(64)}  ${archiveName}\n`;
    const cache = join(work, "cache-bad");
    const lines: string[] = [];
    const err = await ensure(cache, lines, { build: true }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(KcpChecksumError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `checksum mismatch for http://127\\.0\\.0\\.1:\\d+/${VERSION}/${archiveName}: sha256 ${sha256(archive)}, but .* says f{64}\\. Nothing was installed`,
      ),
    );
    expect(lines.join("\n")).not.toContain("building");
    const out = kcpCacheDir(VERSION, cache);
    expect(existsSync(join(out, "bin", "kcp"))).toBe(false);
    expect(existsSync(join(out, ".downloaded"))).toBe(false);
    expect(readdirSync(out)).toEqual([]); // the partial download is gone too
  });

  it("a checksum file without the archive is refused before downloading it", async () => {
    checksums = `${sha256(archive)}  kcp_0.32.3_linux_s390x.tar.gz\n`;
    const err = await ensure(join(work, "cache-unlisted"), []).catch((e: Error) => e);
    expect(err).toBeInstanceOf(KcpChecksumError);
    expect((err as Error).message).toContain(`lists no checksum for ${archiveName}`);
    expect(requests).toEqual([`/${VERSION}/kcp_0.32.3_checksums.txt`]);
  });

  it("a release that is not there is one more thing tried; the error lists every step", async () => {
    const err = await ensure(join(work, "cache-404"), [], { version: "v0.99.0" }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /no kcp v0\.99\.0 found\. Tried:\n {2}- KCP_BIN is not set\n {2}- no cached kcp v0\.99\.0 in .*\n {2}- no release download: GET http:\/\/127\.0\.0\.1:\d+\/v0\.99\.0\/kcp_0\.99\.0_checksums\.txt: 404 Not Found\n {2}- building from the Go module proxy turned off/,
    );
  });

  it("uses kcp on PATH when it is the wanted version, and says why not otherwise", async () => {
    const wrong = join(work, "path-wrong");
    const right = join(work, "path-right");
    fakeKcp(wrong, "v0.31.0");
    fakeKcp(right);
    process.env.PATH = `${wrong}:${saved.PATH}`;
    const lines: string[] = [];
    await ensure(join(work, "cache-path"), lines, { searchPath: true, releaseUrl: false }).catch(
      () => undefined,
    );
    expect(lines).toContain(
      `[kcp] kcp on PATH (${join(wrong, "kcp")}) says "kcp version v1.34.2+kcp-v0.31.0", not ${VERSION}: not used`,
    );
    expect(lines).toContain("[kcp] release download turned off (releaseUrl: false or KCP_RELEASE_URL=off)");
    process.env.PATH = `${right}:${saved.PATH}`;
    const got = await ensure(join(work, "cache-path"), [], { searchPath: true });
    expect(got).toEqual({ dir: right, kcp: join(right, "kcp"), source: "PATH" });
    // A sharded kcp needs more than kcp beside it.
    const sharded: string[] = [];
    await ensure(join(work, "cache-path"), sharded, {
      searchPath: true,
      binaries: ["kcp", "cache-server"],
    }).catch(() => undefined);
    expect(sharded).toContain(
      `[kcp] kcp ${VERSION} on PATH (${join(right, "kcp")}) has no cache-server beside it: not used`,
    );
    expect(sharded).toContain("[kcp] the release archive holds kcp only, not cache-server");
    process.env.PATH = saved.PATH;
  });
});
