/**
 * `npm run kcp:up` / `kcp:down` / `kcp:status` / `kcp:reset`: a local kcp for people, with its state
 * under .kcp/ and the admin kubeconfig at .kcp/admin.kubeconfig. The same `LocalKcp` serves
 * `mesh-dev kcp ...` in a provider project: `up` is idempotent (a kcp that runs is reused, a stopped
 * one restarts on its data with the same port, so kubeconfigs written earlier keep working).
 */
import { join, resolve } from "node:path";
import { kcpCommand, LocalKcp } from "@kcp-mesh/dev";

const root = resolve(import.meta.dirname, "..");
const dir = process.env.KCP_STATE_DIR ?? join(root, ".kcp");

/** Starts kcp unless it already runs; returns its port. */
export async function up(): Promise<number> {
  return (await new LocalKcp(dir).up()).port;
}

export async function down(): Promise<void> {
  await new LocalKcp(dir).down();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  kcpCommand(dir, process.argv[2]).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      console.error(`error: ${err.message}`);
      process.exit(1);
    },
  );
}
