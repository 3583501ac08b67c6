/**
 * The few rxjs values the SDK uses, imported file by file.
 *
 * On Node, `import "rxjs"` resolves to rxjs 7's CommonJS build and loads all 223 of its files
 * (every operator) before a provider can start; these four need 44 (`bench/import-cost.ts`). rxjs exports each file under `rxjs/internal/*`, and the classes are
 * the ones the barrel re-exports, so an `Observable` made here is the `Observable` of a provider's
 * own `import { map } from "rxjs"`. Types stay imported from "rxjs": they cost nothing at run time.
 */
export { Observable } from "rxjs/internal/Observable";
export { of } from "rxjs/internal/observable/of";
export { filter } from "rxjs/internal/operators/filter";
export { Subject } from "rxjs/internal/Subject";
