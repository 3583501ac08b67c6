import { readFileSync } from "node:fs";
import { KubeApiError, type KubeClient } from "@kcp-mesh/sdk";
import { manifestFiles } from "./manifest-files.js";
import { parseYamlDocuments } from "./output/yaml.js";

/** What kcp said about one object of the files. */
export interface VerifyResult {
  file: string;
  /** `APIResourceSchema v1alpha1-abc.widgets.widgets.example.io` */
  object: string;
  outcome: "accepted" | "refused" | "skipped";
  /** kcp's own message when it refused the object, or why it was skipped. */
  message?: string;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/**
 * Applies every object of the YAML files (read as kubectl reads them, YAML 1.1) to kcp with a
 * server-side dry-run apply, so kcp's own admission and validation judge them, and nothing is
 * stored. Objects of APIs the kcp does not serve (ProviderMetadata without Platform Mesh) are skipped.
 */
export async function verifyFiles(paths: string[], client: KubeClient): Promise<VerifyResult[]> {
  const results: VerifyResult[] = [];
  const discovery = new Map<string, ApiResource[] | undefined>();
  for (const file of paths.flatMap((p) => manifestFiles(p))) {
    let docs: unknown[];
    try {
      docs = parseYamlDocuments(readFileSync(file, "utf8"), file);
    } catch (err) {
      results.push({ file, object: "(file)", outcome: "refused", message: (err as Error).message });
      continue;
    }
    for (const doc of docs) {
      const obj = doc as {
        apiVersion?: string;
        kind?: string;
        metadata?: { name?: string; namespace?: string };
      };
      const object = `${obj.kind ?? "(no kind)"} ${obj.metadata?.name ?? "(no name)"}`;
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
        results.push({
          file,
          object,
          outcome: "refused",
          message: "needs apiVersion, kind and metadata.name",
        });
        continue;
      }
      const gv = obj.apiVersion.includes("/") ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
      if (!discovery.has(gv)) {
        const list = await client.get<{ resources: ApiResource[] }>(gv).catch(() => undefined);
        discovery.set(gv, list?.resources);
      }
      const res = discovery.get(gv)?.find((r) => r.kind === obj.kind && !r.name.includes("/"));
      if (!res) {
        results.push({
          file,
          object,
          outcome: "skipped",
          message: `${obj.apiVersion} ${obj.kind} is not served by this kcp`,
        });
        continue;
      }
      const ns = res.namespaced ? `/namespaces/${obj.metadata.namespace ?? "default"}` : "";
      try {
        await client.request({
          method: "PATCH",
          path: `${gv}${ns}/${res.name}/${obj.metadata.name}`,
          query: { fieldManager: "mesh-codegen-verify", force: true, dryRun: "All" },
          body: doc,
          contentType: "application/apply-patch+yaml",
        });
        results.push({ file, object, outcome: "accepted" });
      } catch (err) {
        if (!(err instanceof KubeApiError)) throw err;
        results.push({ file, object, outcome: "refused", message: kcpMessage(err) });
      }
    }
  }
  return results;
}

/** kcp's status message, without the request line the client puts in front of it. */
function kcpMessage(err: KubeApiError): string {
  const m = /^\w+ \S+: (.*)$/s.exec(err.message);
  return (m?.[1] ?? err.message).trim();
}
