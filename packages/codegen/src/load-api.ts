import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type ApiDefinition, isApiDefinition } from "@kcp-mesh/sdk/api";

/**
 * Imports an API module and returns its API definition: the named export `exportName`, else the
 * default export, else the only export made by `defineApi`. TypeScript modules load directly when
 * the process runs with tsx (as the `mesh-codegen` command does).
 */
export async function loadApi(modulePath: string, exportName?: string): Promise<ApiDefinition> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(modulePath)).href)) as Record<string, unknown>;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot load API module ${modulePath}: ${why}`);
  }
  if (exportName) {
    if (!(exportName in mod)) {
      const names = Object.keys(mod).sort();
      throw new Error(
        `${modulePath} has no export "${exportName}"${names.length > 0 ? ` (it exports ${names.join(", ")})` : ""}`,
      );
    }
    if (!isApiDefinition(mod[exportName])) {
      throw new Error(`${modulePath}: export "${exportName}" is not an API made by defineApi(...)`);
    }
    return mod[exportName];
  }
  if (isApiDefinition(mod.default)) return mod.default;
  const apis = Object.entries(mod).filter(([, v]) => isApiDefinition(v));
  if (apis.length === 1) return apis[0]![1] as ApiDefinition;
  if (apis.length > 1) {
    throw new Error(
      `${modulePath} exports several APIs (${apis.map(([k]) => k).join(", ")}); pick one with --export <name>`,
    );
  }
  throw new Error(`${modulePath} has no API: write \`export default defineApi({ name, resources: [...] })\``);
}
