import { KubeApiError, type KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";

/** A permission claim as the provider's API asks for it (see `permissionClaims` in api/index.ts). */
export interface ClaimRef {
  group: string;
  resource: string;
  verbs: readonly string[];
}

/** Why a claimed resource is out of reach, ready for a Ready condition. */
export interface ClaimProblem {
  reason: "PermissionClaimNotAccepted" | "PermissionClaimNotApplied";
  message: string;
}

interface ClaimEntry {
  group?: string;
  resource?: string;
  verbs?: string[];
  state?: string;
}

interface APIBinding extends KubeObject {
  spec?: { reference?: { export?: { name?: string; path?: string } }; permissionClaims?: ClaimEntry[] };
  status?: {
    appliedPermissionClaims?: ClaimEntry[];
    conditions?: { type: string; status: string; message?: string }[];
  };
}

const APIBINDINGS = "/apis/apis.kcp.io/v1alpha2/apibindings";

/**
 * Explains a failed request for a claimed resource (e.g. a Secret) in a consumer's workspace.
 *
 * Through the APIExport virtual workspace kcp answers 403 Forbidden for every verb on a claimed
 * resource whose claim the consumer has not accepted, which looks exactly like missing RBAC. The
 * consumer's APIBinding (readable through the same virtual workspace) tells the two apart, so the
 * object's status can say what the consumer has to do instead of repeating a 403.
 *
 * @param client the reconcile context's client (the object's workspace through the virtual workspace)
 * @param exportName the provider's APIExport
 * @param claim the claim the failed request needed
 * @param err what the request threw
 * @returns the problem to report, or `undefined` when the claim is in order and `err` is something else
 */
export async function explainClaimFailure(
  client: KubeClient,
  exportName: string,
  claim: ClaimRef,
  err: unknown,
): Promise<ClaimProblem | undefined> {
  if (!(err instanceof KubeApiError && (err.status === 403 || err.status === 404))) return undefined;
  // Should the bindings be unreadable too, the caller's original error is the better report.
  const list = await client.get<{ items: APIBinding[] }>(APIBINDINGS).catch(() => undefined);
  const binding = list?.items.find((b) => b.spec?.reference?.export?.name === exportName);
  // Without a binding the workspace is on its way out; the runtime drops its objects anyway.
  if (!binding) return undefined;
  const name = binding.metadata.name;
  const same = (c: ClaimEntry) => (c.group ?? "") === claim.group && c.resource === claim.resource;
  const what = claim.group ? `${claim.resource}.${claim.group}` : claim.resource;
  const accepted = binding.spec?.permissionClaims?.find(same);
  const entry = `{group: "${claim.group}", resource: ${claim.resource}, verbs: [${claim.verbs.join(", ")}], selector: {matchAll: true}, state: Accepted}`;

  if (accepted?.state !== "Accepted") {
    const now = accepted?.state ? `it is ${accepted.state}` : "it is not accepted";
    return {
      reason: "PermissionClaimNotAccepted",
      message:
        `this provider needs the "${what}" permission claim of APIExport ${exportName}, and ${now} in this workspace: ` +
        `accept the ${what} claim in APIBinding ${name}: set spec.permissionClaims[] to include ${entry}`,
    };
  }
  const missing = claim.verbs.filter((v) => !accepted.verbs?.includes(v) && !accepted.verbs?.includes("*"));
  if (missing.length > 0) {
    return {
      reason: "PermissionClaimNotAccepted",
      message:
        `the "${what}" claim is accepted in APIBinding ${name} without the verbs ${missing.join(", ")}: ` +
        `set its verbs to [${claim.verbs.join(", ")}]`,
    };
  }
  if (!binding.status?.appliedPermissionClaims?.some(same)) {
    const applied = binding.status?.conditions?.find((c) => c.type === "PermissionClaimsApplied");
    return {
      reason: "PermissionClaimNotApplied",
      message:
        `the "${what}" claim is accepted in APIBinding ${name} but kcp has not applied it yet` +
        (applied?.message ? `: ${applied.message}` : ""),
    };
  }
  return undefined;
}
