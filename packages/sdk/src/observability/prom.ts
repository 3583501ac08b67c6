/// <reference path="./prom-client-lib.d.ts" />
import type * as PromClient from "prom-client";
import CounterClass from "prom-client/lib/counter.js";
import GaugeClass from "prom-client/lib/gauge.js";
import HistogramClass from "prom-client/lib/histogram.js";
import RegistryClass from "prom-client/lib/registry.js";

/*
 * The four prom-client classes the runtime uses, imported file by file. prom-client's index also
 * loads its default process metrics, and through them `@opentelemetry/api`: 88 files before a
 * provider can start, where these four need 8 (bench/import-cost.ts), for metrics the runtime
 * does not register. prom-client has no `exports` map, so its lib/ files are reachable;
 * each one's `module.exports` is the class its index re-exports, so prom-client's own types
 * describe them (prom-client-lib.d.ts). Static imports, so bundlers follow them.
 */
export const Counter: typeof PromClient.Counter = CounterClass;
export type Counter<T extends string = string> = PromClient.Counter<T>;
export const Gauge: typeof PromClient.Gauge = GaugeClass;
export type Gauge<T extends string = string> = PromClient.Gauge<T>;
export const Histogram: typeof PromClient.Histogram = HistogramClass;
export type Histogram<T extends string = string> = PromClient.Histogram<T>;
export const Registry: typeof PromClient.Registry = RegistryClass;
export type Registry = PromClient.Registry;
