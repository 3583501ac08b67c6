import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { stopProcessGroup } from "@kcp-mesh/sdk/testing";

/** A contender process, in its own process group, with its stdout lines timed. */
export interface Contender {
  pid: number;
  startedAt: number;
  /** Resolves with the time (ms since start) and the line when a stdout line matches. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<{ atMs: number; line: string }>;
  /** Lines seen so far, with their time since start. */
  lines: { atMs: number; line: string }[];
  exited: () => number | null;
  stop(): Promise<void>;
}

export function startContender(cmd: string[], opts: { cwd: string; logFile: string }): Contender {
  const log = openSync(opts.logFile, "a");
  const startedAt = performance.now();
  const child: ChildProcess = spawn(cmd[0]!, cmd.slice(1), {
    cwd: opts.cwd,
    detached: true,
    stdio: ["ignore", "pipe", log],
  });
  if (child.pid === undefined) throw new Error(`could not start ${cmd.join(" ")}`);
  const pid = child.pid;
  let exitCode: number | null = null;
  const lines: { atMs: number; line: string }[] = [];
  const listeners = new Set<() => void>();
  child.on("exit", (code, signal) => {
    exitCode = code ?? (signal ? 128 : -1);
    for (const l of listeners) l();
  });
  let partial = "";
  child.stdout!.on("data", (d: Buffer) => {
    const atMs = performance.now() - startedAt;
    const parts = (partial + d.toString()).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push({ atMs, line });
      writeFileSync(opts.logFile, `[stdout +${atMs.toFixed(0)}ms] ${line}\n`, { flag: "a" });
    }
    for (const l of listeners) l();
  });
  return {
    pid,
    startedAt,
    lines,
    exited: () => exitCode,
    waitForLine(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find((l) => re.test(l.line));
          if (hit) {
            done();
            resolve(hit);
          } else if (exitCode !== null) {
            done();
            reject(
              new Error(`${cmd[0]} exited with ${exitCode} before printing ${re} (log: ${opts.logFile})`),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`${cmd[0]} did not print ${re} within ${timeoutMs / 1000}s (log: ${opts.logFile})`),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      await stopProcessGroup(pid, 10_000);
    },
  };
}

/** The pids of a process and all its descendants (from /proc). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parens: the fields after the last ')' are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * Resident set size and its high-water mark of a process tree, in bytes. The esbuild service that
 * tsx starts to compile TypeScript on the fly is left out: a provider in production runs compiled
 * JavaScript without it.
 */
export function memoryOfTree(pid: number): { rss: number; hwm: number } {
  let rss = 0;
  let hwm = 0;
  for (const p of processTree(pid)) {
    try {
      if (p !== pid && readFileSync(`/proc/${p}/comm`, "utf8").trim() === "esbuild") continue;
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      rss += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      hwm += Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return { rss, hwm };
}

/** Resets VmHWM of every process of the tree to its current RSS (Linux: `5` into clear_refs). */
export function resetHighWaterMark(pid: number): boolean {
  let ok = true;
  for (const p of processTree(pid)) {
    try {
      writeFileSync(`/proc/${p}/clear_refs`, "5");
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** Samples the RSS of a process tree until stopped; keeps the maximum and the samples. */
export class RssSampler {
  max = 0;
  readonly samples: { atMs: number; rss: number }[] = [];
  private timer: NodeJS.Timeout;
  constructor(
    private readonly pid: number,
    private readonly t0: number,
    intervalMs = 250,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }
  sample(): number {
    const { rss } = memoryOfTree(this.pid);
    if (rss > 0) {
      this.samples.push({ atMs: performance.now() - this.t0, rss });
      this.max = Math.max(this.max, rss);
    }
    return rss;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

// Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ): 100 on every Linux
// this runs on; `getconf CLK_TCK` says so, read once.
let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU seconds (user + system, from /proc/<pid>/stat) a process tree has spent since each process
 * started. Processes of the tree that already ended are not counted, nor is tsx's esbuild service.
 */
export function cpuOfTree(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      if (p !== pid && readFileSync(`/proc/${p}/comm`, "utf8").trim() === "esbuild") continue;
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      // Fields after the command name's closing paren start at field 3 (state); utime is 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / ticksPerSecond();
}
