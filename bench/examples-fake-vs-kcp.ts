/**
 * Benchmark (not a test): the examples' test suites (examples/<name>/test) against the in-process
 * fake kcp and against a real kcp, one vitest run each, measuring wall time and the CPU time of
 * the whole run (vitest, its workers and, for kcp, the kcp process it starts and reaps), as
 * `/usr/bin/time` reports it. Writes bench/results/examples-fake-vs-kcp-<date>.json and .md.
 *
 * Usage: npm exec -- tsx --conditions=source bench/examples-fake-vs-kcp.ts [--rounds N]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 1;
if (!existsSync("/usr/bin/time"))
  throw new Error("needs /usr/bin/time (GNU time) to measure the CPU of the runs");

/** The examples' suites only (a bare "examples/" filter would match test/examples/ too). */
const EXAMPLE_TESTS = ["examples/httpbin/test/", "examples/database/test/", "examples/app/test/"];

interface Run {
  server: "fake" | "kcp";
  wallSeconds: number;
  cpuSeconds: number;
  tests: number;
  passed: boolean;
}

function run(server: "fake" | "kcp"): Run {
  const out = join(mkdtempSync(join(tmpdir(), "bench-examples-")), "time.txt");
  const project = server === "fake" ? "fake" : "integration";
  const r = spawnSync(
    "/usr/bin/time",
    [
      "-f",
      "%e %U %S",
      "-o",
      out,
      "npm",
      "exec",
      "--",
      "vitest",
      "run",
      "--project",
      project,
      ...EXAMPLE_TESTS,
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" }, maxBuffer: 64 * 1024 * 1024 },
  );
  const [wall, user, sys] = readFileSync(out, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
  const text = `${r.stdout}\n${r.stderr}`.replace(
    new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"),
    "",
  );
  const tests = Number(/Tests\s+(?:\d+ failed \| )?(\d+) passed/.exec(text)?.[1] ?? 0);
  const run: Run = {
    server,
    wallSeconds: wall!,
    cpuSeconds: Number((user! + sys!).toFixed(2)),
    tests,
    passed: r.status === 0,
  };
  process.stderr.write(`${server}: ${JSON.stringify(run)}\n`);
  if (!run.passed) process.stderr.write(text.slice(-3000));
  return run;
}

const runs: Run[] = [];
for (let i = 0; i < rounds; i++) runs.push(run("fake"), run("kcp"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (server: "fake" | "kcp") => {
  const rs = runs.filter((r) => r.server === server);
  return {
    wallSeconds: median(rs.map((r) => r.wallSeconds)),
    cpuSeconds: median(rs.map((r) => r.cpuSeconds)),
    tests: rs[0]!.tests,
  };
};
const fake = summary("fake");
const kcp = summary("kcp");
const result = {
  benchmark: "examples' test suites (examples/*/test): in-process fake kcp vs real kcp",
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  note: "one vitest run per server and round; CPU = user + system of the run and every process it reaped (kcp included); the machine may be shared",
  rounds,
  runs,
  median: {
    fake,
    kcp,
    wallSpeedup: Number((kcp.wallSeconds / fake.wallSeconds).toFixed(1)),
    cpuRatio: Number((kcp.cpuSeconds / fake.cpuSeconds).toFixed(1)),
  },
};
const dir = join(root, "bench", "results");
mkdirSync(dir, { recursive: true });
const stamp = result.date.replace(/[:.]/g, "-");
writeFileSync(join(dir, `examples-fake-vs-kcp-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(
  join(dir, `examples-fake-vs-kcp-${stamp}.md`),
  [
    `# ${result.benchmark}`,
    "",
    `${result.date}, ${result.machine.cpus} CPUs (${result.machine.model}), ${rounds} round(s); ${result.note}.`,
    "",
    "| server | tests | wall (s) | CPU (s) |",
    "|---|---|---|---|",
    `| fake | ${fake.tests} | ${fake.wallSeconds} | ${fake.cpuSeconds} |`,
    `| kcp | ${kcp.tests} | ${kcp.wallSeconds} | ${kcp.cpuSeconds} |`,
    "",
    `Wall time ${result.median.wallSpeedup}x shorter, CPU ${result.median.cpuRatio}x less against the fake.`,
    "",
  ].join("\n"),
);
process.stdout.write(`${JSON.stringify(result.median)}\n`);
