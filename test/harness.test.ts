import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { bindExport, createWorkspace, startKcp, waitFor } from "@kcp-mesh/sdk/testing";
import { afterAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "./support/kcp.js";

// The harness's promises (README, "Testing your provider against a real kcp"): nothing is left
// running after stop() or after the test process dies, and a failed wait says what it last saw.

/** Live (not zombie) processes of a process group; kcp runs in a group of its own. */
function processGroup(pgid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) !== pgid || state === "Z" || state === "X") continue;
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      out.push({ pid: Number(d), cmd });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Live processes whose command line contains `needle`. */
function processesWith(needle: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").replaceAll("\0", " ");
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      if (cmd.includes(needle) && state !== "Z") out.push({ pid: Number(d), cmd: cmd.trim() });
    } catch {
      // gone
    }
  }
  return out;
}

const killGroup = (pgid: number) => {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // gone
  }
};

describe("startKcp leaves no process behind", () => {
  it("stop() ends kcp's whole process group and its watchdog", async () => {
    const kcp = await startKcp();
    try {
      expect(processGroup(kcp.pid).map((p) => p.pid)).toContain(kcp.pid);
      // The watchdog that would stop kcp if this process died is a process of its own.
      expect(processesWith(`kill -0 ${kcp.pid} `)).toHaveLength(1);
      await kcp.stop();
      expect(processGroup(kcp.pid)).toEqual([]);
      expect(processesWith(`kill -0 ${kcp.pid} `)).toEqual([]);
    } finally {
      killGroup(kcp.pid);
    }
  }, 240_000);

  it("a test process killed with SIGKILL does not leave its kcp running", async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        new URL("./fixtures/start-kcp-child.ts", import.meta.url).pathname,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let kcpPid: number | undefined;
    try {
      const exited = new Promise<never>((_, reject) =>
        child.once("exit", (code, signal) => reject(new Error(`child exited early: ${code ?? signal}`))),
      );
      const started = new Promise<{ pid: number }>((resolve) => {
        createInterface({ input: child.stdout! }).once("line", (line) => resolve(JSON.parse(line)));
      });
      kcpPid = (await Promise.race([started, exited])).pid;
      expect(processGroup(kcpPid).map((p) => p.pid)).toContain(kcpPid);
      child.removeAllListeners("exit");
      const gone = new Promise((r) => child.once("exit", r));
      const killedAt = Date.now();
      child.kill("SIGKILL");
      await gone;
      // The watchdog notices within a second, sends SIGTERM, and SIGKILL 15 s later at the latest.
      const pid = kcpPid;
      await waitFor(
        `kcp (pid ${pid}) to stop after its parent was killed`,
        async () => {
          const left = processGroup(pid);
          if (left.length === 0) return true;
          throw new Error(`still running: ${left.map((p) => `${p.pid} ${p.cmd}`).join("; ")}`);
        },
        { timeoutMs: 25_000, intervalMs: 250 },
      );
      process.stderr.write(`[harness] kcp gone ${Date.now() - killedAt} ms after SIGKILL of its parent\n`);
    } finally {
      child.kill("SIGKILL");
      if (kcpPid !== undefined) killGroup(kcpPid);
    }
  }, 240_000);
});

describe("waits that fail say what they last saw", () => {
  const root = adminClient();
  afterAll(() => root.close());

  it("waitFor names what it waited for and the last error its probe saw", async () => {
    let n = 0;
    const err = await waitFor(
      "the answer",
      async () => {
        n++;
        throw new Error(`attempt ${n}: phase is Pending`);
      },
      { timeoutMs: 300, intervalMs: 50 },
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      /^timed out after 0\.3s waiting for the answer: attempt \d+: phase is Pending$/,
    );
    expect(err?.message).toContain(`attempt ${n}:`); // the last one, not the first
  });

  // The harness's own waits (createWorkspace, bindExport, waitForEndpointSliceUrls) say what they
  // last saw when they time out.
  it("bindExport of an export that does not exist says which binding and what it last saw", async () => {
    const ws = await createWorkspace(root, `root:harness-${uniqueSuffix()}`);
    const err = await bindExport(
      root.forWorkspace(ws.path),
      { path: "root", name: "no-such-export.example.io" },
      { timeoutMs: 5_000 },
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(
      /^timed out after 5s waiting for APIBinding no-such-export\.example\.io .* to be Bound/,
    );
    // What it last saw comes after the colon: the binding's phase and why it is not bound.
    expect(err!.message).toMatch(/to be Bound: \S.*/);
  });
});
