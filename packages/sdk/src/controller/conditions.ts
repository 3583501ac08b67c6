/** A status condition as Kubernetes API conventions define it. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** What a caller says about a condition; the helper fills in the rest. */
export interface ConditionInput {
  type: string;
  status: "True" | "False" | "Unknown";
  /** UpperCamelCase, e.g. `Provisioned`; default: `type` when True, else `Not<type>`. */
  reason?: string;
  message?: string;
}

/** The condition the runtime maintains for every object unless turned off. */
export const READY = "Ready";

/**
 * Sets a condition in a list, returning a new list: `observedGeneration` is set to the generation
 * the reconcile saw, and `lastTransitionTime` only moves when the status changes, so an unchanged
 * condition writes nothing new (and triggers no watch event).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  generation: number | undefined,
  now: () => Date = () => new Date(),
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === input.type);
  const prev = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason ?? (input.status === "True" ? input.type : `Not${input.type}`),
    message: input.message ?? "",
    ...(generation !== undefined && { observedGeneration: generation }),
    lastTransitionTime:
      prev && prev.status === input.status
        ? prev.lastTransitionTime
        : now()
            .toISOString()
            .replace(/\.\d{3}Z$/, "Z"),
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

/** Finds a condition by type. */
export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when the condition exists, is True, and was observed for the given generation. */
export function isConditionTrue(
  conditions: readonly Condition[] | undefined,
  type: string,
  generation?: number,
): boolean {
  const c = getCondition(conditions, type);
  return c?.status === "True" && (generation === undefined || c.observedGeneration === generation);
}
