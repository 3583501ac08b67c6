import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { GENERATED_HEADER } from "./yaml.js";

/** What a directory should hold: file name (relative to it, or an absolute path) → content. */
export type ExpectedFiles = Record<string, string>;

/** Files in `dir` that an earlier run generated and this one does not: they would be stale. */
export function staleGeneratedFiles(dir: string, expected: ExpectedFiles): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n) && !(n in expected))
    .filter((n) => readFileSync(join(dir, n), "utf8").startsWith(GENERATED_HEADER))
    .sort();
}

/**
 * Writes the files into `dir` (creating it), leaving files with unchanged content untouched, and
 * removes files an earlier run generated that are no longer produced. Hand-written files stay.
 */
export function writeOutput(dir: string, expected: ExpectedFiles): { written: string[]; removed: string[] } {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const removed = staleGeneratedFiles(dir, expected);
  for (const [name, content] of Object.entries(expected)) {
    const path = join(dir, name);
    if (readOrUndefined(path) !== content) {
      writeFileSync(path, content);
      written.push(name);
    }
  }
  for (const name of removed) rmSync(join(dir, name));
  return { written, removed };
}

/**
 * Compares `dir` with what it should hold; returns a unified diff per differing file (empty when
 * everything is current).
 */
export function diffOutput(dir: string, expected: ExpectedFiles): string[] {
  const diffs: string[] = [];
  for (const [name, content] of Object.entries(expected)) {
    const actual = readOrUndefined(join(dir, name));
    if (actual === content) continue;
    diffs.push(
      createTwoFilesPatch(
        `a/${name}`,
        `b/${name}`,
        actual ?? "",
        content,
        actual === undefined ? "missing" : "committed",
        "generated",
      ),
    );
  }
  for (const name of staleGeneratedFiles(dir, expected)) {
    const actual = readFileSync(join(dir, name), "utf8");
    diffs.push(createTwoFilesPatch(`a/${name}`, `b/${name}`, actual, "", "committed", "no longer generated"));
  }
  return diffs;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
