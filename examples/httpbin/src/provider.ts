import { createProvider, type Provider, type ProviderOptions, TerminalError } from "@kcp-mesh/sdk";
import { HttpBin } from "../api/index.js";
import { ServerPool } from "./servers.js";

/**
 * The HttpBin provider: for each HttpBin object in any bound workspace it serves a small HTTP
 * endpoint on 127.0.0.1, reports its URL and readiness in status, and stops it when the object is
 * deleted (finalizer), when the object turns invalid (`onInvalid`: withdrawn until it is valid
 * again) and when a workspace leaves (`onDisengage`). Rename `HttpBin` and replace
 * {@link ServerPool} with your own effect.
 */
export function createHttpBinProvider(options: Omit<ProviderOptions, "export">): {
  provider: Provider;
  servers: ServerPool;
} {
  const servers = new ServerPool();
  const provider = createProvider({ ...options, export: "httpbin.examples.kcp-mesh.io" });
  const keyOf = (workspace: string, obj: { metadata: { namespace?: string; name?: string } }) =>
    `${workspace}/${obj.metadata.namespace}/${obj.metadata.name}`;

  provider.reconcile(
    HttpBin,
    async (hb, ctx) => {
      let server: Awaited<ReturnType<ServerPool["ensure"]>>;
      try {
        server = await servers.ensure(keyOf(ctx.workspace, hb), {
          message: hb.spec.message,
          ...(hb.spec.port !== undefined && { port: hb.spec.port }),
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
          // Retrying cannot free someone else's port: say so and wait for a spec change.
          throw new TerminalError(
            `spec.port ${hb.spec.port} is already in use on the provider's machine; pick another port or leave spec.port empty`,
            "PortInUse",
          );
        }
        throw err;
      }
      // Ready means it answers, not merely that it was started.
      const res = await fetch(`${server.url}/healthz`, { signal: ctx.signal });
      const status = { url: server.url, observedGeneration: hb.metadata.generation };
      if (!res.ok) {
        return {
          status: { ...status, phase: "Failed" },
          ready: { status: "False", reason: "NotAnswering", message: `GET /healthz answered ${res.status}` },
        };
      }
      ctx.log.info({ url: server.url }, "endpoint serving");
      return { status: { ...status, phase: "Ready" } };
    },
    {
      finalize: async (hb, ctx) => {
        await servers.remove(keyOf(ctx.workspace, hb));
        ctx.log.info("endpoint stopped");
      },
      // An edit the schema rejects: stop serving the old message rather than pretend all is well.
      // The returned status replaces the old one, so `url` goes away with the endpoint.
      onInvalid: async (hb, _issues, ctx) => {
        await servers.remove(keyOf(ctx.workspace, hb));
        return { status: { phase: "Failed" } };
      },
    },
  );
  // Finalizers have cleaned up each object by now; drop anything else kept for the workspace.
  provider.onDisengage((workspace) => servers.removeWorkspace(workspace));
  return { provider, servers };
}
