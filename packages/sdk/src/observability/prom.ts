import { createRequire } from "node:module";
import type * as PromClient from "prom-client";

/*
 * The four prom-client classes the runtime uses, loaded file by file. prom-client's index also
 * loads its default process metrics, and through them `@opentelemetry/api`: 97 files, ~11 MiB of
 * RSS and tens of milliseconds before a provider can start (bench/import-cost.ts), for metrics the
 * runtime does not register. prom-client has no `exports` map, so its lib/ files are reachable;
 * the classes are the ones its index re-exports, so prom-client's types describe them exactly.
 */
const load = createRequire(import.meta.url);

export const Counter = load("prom-client/lib/counter.js") as typeof PromClient.Counter;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export const Gauge = load("prom-client/lib/gauge.js") as typeof PromClient.Gauge;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export const Histogram = load("prom-client/lib/histogram.js") as typeof PromClient.Histogram;
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
export const Registry = load("prom-client/lib/registry.js") as typeof PromClient.Registry;
export type Registry = PromClient.Registry;
