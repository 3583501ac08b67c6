import { dirname, sep } from "node:path";

/** What a changed file asks of the live loop. */
export type Change = "api" | "handler" | "sample";

/** The files the live loop follows (absolute paths). */
export interface WatchedPaths {
  api: string;
  entry: string;
  sample: string;
}

/** Dependencies, build output, and editors' swap and backup files (vim, emacs). */
const IGNORED = /(^|[\\/])(node_modules|\.git|dist)([\\/]|$)|~$|\.swp$|\.swx$|(^|[\\/])4913$|(^|[\\/])\.#/;
/**
 * Sources that can change the API or the provider. Anything else in those folders is not: in
 * particular the temporary files editors and `sed -i` write next to a file before renaming them
 * over it (`sedAb12Cd`, `x.ts___jb_tmp___`), which would otherwise be reported as the change.
 */
const SOURCE = /\.[cm]?[jt]sx?$|\.json$/;

/** Which part of the loop a changed file concerns, or `undefined` for a file that does not matter. */
export function classifyChange(file: string, paths: WatchedPaths): Change | undefined {
  if (IGNORED.test(file)) return undefined;
  if (file === paths.sample) return "sample";
  if (!SOURCE.test(file)) return undefined;
  const apiDir = dirname(paths.api);
  const entryDir = dirname(paths.entry);
  if (apiDir === entryDir) return file === paths.api ? "api" : "handler";
  if (file.startsWith(apiDir + sep)) return "api";
  if (file.startsWith(entryDir + sep)) return "handler";
  return undefined;
}
