/**
 * The benchmark's report: per contender the median of every figure over the rounds of a run, its
 * spread (min and max), and ratios to the Go provider, the write ceiling and the reader ceiling,
 * each computed within a round (same kcp, same minute) and then summarised the same way.
 */

export type Figures = Record<string, number | boolean | string | undefined>;

/** Which contenders a figure applies to. */
export type Applies = "all" | "provider";

/** name, unit, whether lower or higher is better, which contenders produce it: the table's order. */
export const FIGURES: [string, string, "lower" | "higher" | "info", Applies][] = [
  ["sync_s", "s", "lower", "all"],
  ["sync_from_started_s", "s", "lower", "all"],
  ["startup_s", "s", "lower", "all"],
  ["cpu_startup_s", "cpu s", "lower", "all"],
  ["sync_objects_per_s", "obj/s", "higher", "all"],
  ["cpu_per_1k_reconciles_s", "cpu s", "lower", "provider"],
  ["kcp_cpu_per_1k_reconciles_s", "cpu s", "lower", "provider"],
  ["cpu_sync_s", "cpu s", "lower", "all"],
  ["cpu_per_1k_sync_s", "cpu s", "lower", "all"],
  ["kcp_cpu_sync_s", "cpu s", "lower", "all"],
  ["rss_after_sync_mb", "MiB", "lower", "all"],
  ["rss_per_object_b", "B", "lower", "all"],
  ["rss_marginal_per_object_b", "B", "lower", "all"],
  ["heap_after_sync_mb", "MiB", "lower", "all"],
  ["heap_per_object_b", "B", "lower", "all"],
  ["rss_peak_sync_mb", "MiB", "lower", "all"],
  ["steady_p50_ms", "ms", "lower", "provider"],
  ["steady_p99_ms", "ms", "lower", "provider"],
  ["steady_to_handler_p50_ms", "ms", "lower", "provider"],
  ["steady_to_handler_p99_ms", "ms", "lower", "provider"],
  ["steady_after_handler_p50_ms", "ms", "lower", "provider"],
  ["steady_after_handler_p99_ms", "ms", "lower", "provider"],
  ["steady_achieved_per_s", "upd/s", "higher", "provider"],
  ["cpu_per_1k_steady_s", "cpu s", "lower", "provider"],
  ["kcp_cpu_per_1k_steady_s", "cpu s", "lower", "provider"],
  ["burst_updates_per_s", "upd/s", "higher", "provider"],
  ["burst_p99_ms", "ms", "lower", "provider"],
  ["cpu_per_1k_burst_s", "cpu s", "lower", "provider"],
  ["kcp_cpu_per_1k_burst_s", "cpu s", "lower", "provider"],
  ["churn_settle_s", "s", "lower", "provider"],
  ["churn_cache_matches", "", "info", "provider"],
  ["cpu_churn_s", "cpu s", "lower", "provider"],
  ["kcp_cpu_churn_s", "cpu s", "lower", "provider"],
  ["relist_peak_rss_mb", "MiB", "lower", "all"],
  ["relist_recover_s", "s", "lower", "all"],
  ["cpu_relist_s", "cpu s", "lower", "all"],
];

/** Figures of the relist phase, absent with `--no-relist`. */
export const RELIST_FIGURES = new Set(["relist_peak_rss_mb", "relist_recover_s", "cpu_relist_s"]);

/** The contenders ratios are taken against, and the name of each ratio. */
export const BASELINES: [string, string][] = [
  ["go", "vs_go"],
  ["write-ceiling", "vs_write_ceiling"],
  ["ceiling", "vs_ceiling"],
];

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

export function summarise(values: number[]): Spread | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median: round(median), min: round(v[0]!), max: round(v.at(-1)!), n: v.length };
}

export interface Summary {
  /** Median of each figure over the rounds (non-numbers: the distinct values, joined). */
  contenders: Record<string, Figures>;
  spread: Record<string, Record<string, Spread>>;
  /** Per contender and figure, per baseline: the spread of the per-round ratios. */
  ratios: Record<string, Record<string, Record<string, Spread>>>;
}

/** Medians, spreads and per-round ratios of the rounds of one run. */
export function summariseRounds(rounds: Record<string, Figures>[]): Summary {
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
  const out: Summary = { contenders: {}, spread: {}, ratios: {} };
  for (const name of names) {
    const figs: Figures = {};
    const spread: Record<string, Spread> = {};
    const ratios: Record<string, Record<string, Spread>> = {};
    const keys = [...new Set(rounds.flatMap((r) => Object.keys(r[name] ?? {})))];
    for (const k of keys) {
      const vals = rounds.map((r) => r[name]?.[k]).filter((v) => v !== undefined);
      if (vals.every((v) => typeof v === "number")) {
        const s = summarise(vals as number[]);
        if (s) {
          figs[k] = s.median;
          spread[k] = s;
        }
      } else {
        figs[k] = [...new Set(vals.map(String))].join(" / ");
      }
    }
    for (const [fig] of FIGURES) {
      for (const [base, label] of BASELINES) {
        if (base === name) continue;
        const per = rounds
          .map((r) => {
            const v = r[name]?.[fig];
            const b = r[base]?.[fig];
            return typeof v === "number" && typeof b === "number" && b !== 0 ? v / b : Number.NaN;
          })
          .filter((x) => Number.isFinite(x));
        const s = summarise(per);
        if (s) {
          ratios[fig] ??= {};
          ratios[fig][label] = s;
        }
      }
    }
    out.contenders[name] = figs;
    out.spread[name] = spread;
    out.ratios[name] = ratios;
  }
  return out;
}

/** Figures a contender of this kind should have produced but did not (what bench:smoke checks). */
export function missingFigures(f: Figures, kind: "provider" | "reader", relist: boolean): string[] {
  return FIGURES.filter(
    ([name, , , applies]) =>
      (applies === "all" || kind === "provider") && (relist || !RELIST_FIGURES.has(name)),
  )
    .map(([name]) => name)
    .filter((name) => {
      const v = f[name];
      return v === undefined || (typeof v === "number" && !Number.isFinite(v));
    });
}

const fmt = (v: number | boolean | string | undefined) =>
  v === undefined
    ? "-"
    : typeof v === "number"
      ? Math.abs(v) >= 100
        ? v.toFixed(0)
        : v.toPrecision(3)
      : String(v);

const fmtSpread = (s: Spread | undefined, suffix = "") =>
  s === undefined
    ? "-"
    : s.n > 1
      ? `${fmt(s.median)}${suffix} (${fmt(s.min)}-${fmt(s.max)})`
      : `${fmt(s.median)}${suffix}`;

/** A markdown table: median (min-max over the rounds) of each figure and of each ratio. */
export function renderTable(head: string, s: Summary, footer = ""): string {
  const labels = BASELINES.filter(([b]) => b in s.contenders);
  const rows: string[][] = [
    ["figure", "unit", "better", "contender", "value", ...labels.map(([b]) => `vs ${b}`)],
  ];
  for (const [fig, unit, better] of FIGURES) {
    for (const name of Object.keys(s.contenders)) {
      const v = s.contenders[name]![fig];
      if (v === undefined) continue;
      const spread = s.spread[name]?.[fig];
      rows.push([
        fig,
        unit,
        better,
        name,
        spread ? fmtSpread(spread) : fmt(v),
        ...labels.map(([, label]) => fmtSpread(s.ratios[name]?.[fig]?.[label], "x")),
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const sep = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return `${head}\n${line(rows[0]!)}\n${sep}\n${rows.slice(1).map(line).join("\n")}${footer}`;
}
