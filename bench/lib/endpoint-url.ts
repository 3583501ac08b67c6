import type { KubeClient } from "@kcp-mesh/sdk";

/**
 * The export's first virtual workspace URL. The endpoint slice lists it once some workspace has
 * bound the export, so this polls until then (the bench driver bounds the contender's run).
 */
export async function firstEndpointUrl(provider: KubeClient, exportName: string): Promise<string> {
  for (;;) {
    const slice = await provider.get<{ status?: { endpoints?: { url: string }[] } }>(
      `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${exportName}`,
    );
    const url = slice?.status?.endpoints?.[0]?.url;
    if (url) return url;
    await new Promise((r) => setTimeout(r, 200));
  }
}
