/**
 * Prints the README's benchmark table from result files, so the figures there are the script's,
 * never typed: one table per file, the main figures per contender (median, with min-max when the
 * run had several rounds) and the SDK's ratio to the Go provider and to the write ceiling.
 *
 *   npx tsx --conditions=source bench/summary.ts bench/results/<file>.json [more.json ...]
 *
 * With `--pool`, files of the same size (W and N) make one table: their rounds are summarised
 * together, as if one run had made them all (for sizes whose rounds were run one at a time).
 */
import { readFileSync } from "node:fs";
import { type Figures, type Spread, type Summary, summariseRounds } from "./lib/report.js";

interface Result extends Omit<Summary, "spread" | "ratios"> {
  spread?: Summary["spread"];
  ratios: Record<string, Record<string, Record<string, Spread | number>>>;
  sizes: { workspaces: number; objects: number };
  rounds?: { order: string; results: Record<string, Figures> }[];
  startedAt: string;
}

const ROWS: [string, string][] = [
  ["startup_s", "start-up: process start to `started` (s)"],
  ["rss_at_start_mb", "RSS at `started` (MiB)"],
  ["sync_s", "initial sync: every object's status written (s)"],
  ["cpu_per_1k_reconciles_s", "CPU per 1,000 reconciles, sync+steady+burst (cpu s)"],
  ["kcp_cpu_per_1k_reconciles_s", "kcp's CPU per 1,000 reconciles meanwhile (cpu s)"],
  ["cpu_per_1k_sync_s", "CPU per 1,000 objects of the initial sync (cpu s)"],
  ["rss_peak_sync_mb", "peak RSS during the sync, kernel high-water mark (MiB)"],
  ["rss_after_sync_mb", "RSS after sync (MiB)"],
  ["heap_after_sync_mb", "live heap after a forced GC (MiB)"],
  ["steady_p50_ms", "steady 50 updates/s: write -> status p50 (ms)"],
  ["steady_p99_ms", "steady 50 updates/s: write -> status p99 (ms)"],
  ["steady_to_handler_p50_ms", "  of which write answered -> handler starts, p50 (ms)"],
  ["steady_to_handler_p99_ms", "  of which write answered -> handler starts, p99 (ms)"],
  ["steady_after_handler_p50_ms", "  of which handler starts -> status seen, p50 (ms)"],
  ["steady_after_handler_p99_ms", "  of which handler starts -> status seen, p99 (ms)"],
  ["burst_updates_per_s", "burst: status written per s"],
  ["cpu_per_1k_burst_s", "CPU per 1,000 burst reconciles (cpu s)"],
  ["churn_cache_matches", "churn: cache == fresh list"],
  ["relist_peak_rss_mb", "peak RSS across a forced relist (MiB)"],
];
const COLUMNS = ["sdk", "go", "write-ceiling", "ceiling"];

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
const cell = (s: Spread | number | undefined, v: unknown, suffix = "") => {
  // Result files from before --repeat hold plain numbers, not spreads.
  if (typeof s === "number") return `${fmt(s)}${suffix}`;
  if (s) {
    return s.n > 1 ? `${fmt(s.median)}${suffix} (${fmt(s.min)}-${fmt(s.max)})` : `${fmt(s.median)}${suffix}`;
  }
  if (typeof v === "number") return fmt(v);
  return v === undefined ? "-" : String(v);
};

const argv = process.argv.slice(2);
const pool = argv.includes("--pool");
const read = argv
  .filter((a) => a !== "--pool")
  .map((file) => ({
    file: file.replace(/^.*bench\//, "bench/"),
    r: JSON.parse(readFileSync(file, "utf8")) as Result,
  }));
const results = pool ? pooled(read) : read;

/** One result per size, its rounds those of every file of that size. */
function pooled(files: { file: string; r: Result }[]): { file: string; r: Result }[] {
  const bySize = new Map<string, { file: string; r: Result }[]>();
  for (const f of files) {
    const key = `${f.r.sizes.workspaces}/${f.r.sizes.objects}`;
    bySize.set(key, [...(bySize.get(key) ?? []), f]);
  }
  return [...bySize.values()].map((group) => {
    const rounds = group.flatMap(({ file, r }) => {
      if (!r.rounds) throw new Error(`${file} has no rounds to pool (written before --repeat)`);
      return r.rounds;
    });
    return {
      file: group.map((g) => g.file).join(" + "),
      r: { ...group[0]!.r, ...summariseRounds(rounds.map((x) => x.results)), rounds },
    };
  });
}

for (const { file, r } of results) {
  const cols = COLUMNS.filter((c) => c in r.contenders);
  const out = [
    `W=${r.sizes.workspaces}, N=${r.sizes.objects}: ${r.rounds?.length ?? 1} round(s), median (min-max); ${file}`,
    "",
    `| figure | ${cols.join(" | ")} | sdk vs go | sdk vs write-ceiling |`,
    `| --- | ${cols.map(() => "---").join(" | ")} | --- | --- |`,
  ];
  for (const [fig, label] of ROWS) {
    if (!cols.some((c) => r.contenders[c]?.[fig] !== undefined)) continue;
    const values = cols.map((c) => cell(r.spread?.[c]?.[fig], r.contenders[c]?.[fig]));
    const ratio = (label: string) => cell(r.ratios.sdk?.[fig]?.[label], undefined, "x");
    out.push(`| ${label} | ${values.join(" | ")} | ${ratio("vs_go")} | ${ratio("vs_write_ceiling")} |`);
  }
  process.stdout.write(`${out.join("\n")}\n\n`);
}

// Memory per extra cached object: the slope between two sizes, not one run's growth divided by N.
// RSS follows how much room V8 and the allocator are given, so between single runs its slope can
// come out near zero or negative; the live heap after a forced GC is the steadier of the two.
const bySize = [...results].sort((a, b) => a.r.sizes.objects - b.r.sizes.objects);
for (let i = 1; i < bySize.length; i++) {
  const [a, b] = [bySize[i - 1]!.r, bySize[i]!.r];
  const dn = b.sizes.objects - a.sizes.objects;
  if (dn <= 0) continue;
  for (const [fig, label] of [
    ["rss_after_sync_mb", "RSS after sync"],
    ["heap_after_sync_mb", "live heap after a forced GC"],
  ] as const) {
    const pairs = COLUMNS.flatMap((c) => {
      const ya = a.contenders[c]?.[fig];
      const yb = b.contenders[c]?.[fig];
      return typeof ya === "number" && typeof yb === "number" ? [{ c, ya, yb }] : [];
    });
    if (pairs.length === 0) continue;
    const slopes = pairs.map(({ c, ya, yb }) => `${c} ${fmt(((yb - ya) * 1024) / dn)} KiB`);
    process.stdout.write(
      `${label} per extra object, N=${a.sizes.objects} -> ${b.sizes.objects}: ${slopes.join(", ")}\n`,
    );
    // A straight line through the two sizes, as far as N=100,000: an extrapolation, not a run.
    const at100k = pairs.map(
      ({ c, ya, yb }) => `${c} ${fmt(yb + ((yb - ya) / dn) * (100_000 - b.sizes.objects))} MiB`,
    );
    process.stdout.write(`${label} extrapolated to N=100,000: ${at100k.join(", ")}\n`);
  }
}
