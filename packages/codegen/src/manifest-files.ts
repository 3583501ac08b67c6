import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The YAML and JSON files a path names: the file itself, or every such file below a folder
 * (sorted, skipping node_modules and dot entries). Shared by `lint` and `verify`, which must read
 * the same set.
 */
export function manifestFiles(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new Error(`${path}: no such file or directory`);
  if (!st.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== "node_modules" && !e.name.startsWith("."))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) =>
      e.isDirectory()
        ? manifestFiles(join(path, e.name))
        : /\.(ya?ml|json)$/.test(e.name)
          ? [join(path, e.name)]
          : [],
    );
}
