import type { AnyResource, NormalizedConversion } from "@kcp-mesh/sdk/api";
import { canonicalJson } from "../schema/json-schema.js";
import type { LockedConversion, LockedResource } from "./lock-file.js";

/** What the lock file records of a resource's versions beyond their schemas. */
export function lockedVersionFields(
  resource: AnyResource,
): Pick<LockedResource, "storageVersion" | "conversions"> {
  const conversions = (resource.conversions ?? []) as readonly NormalizedConversion[];
  return {
    ...(Object.keys(resource.versions).length > 1 && { storageVersion: resource.storageVersion as string }),
    ...(conversions.length > 0 && {
      conversions: Object.fromEntries(
        conversions.map((c): [string, LockedConversion] => [
          `${c.from}->${c.to}`,
          {
            rules: c.rules.map((r) => ({ ...r })),
            ...(c.preserve.length > 0 && { preserve: [...c.preserve] }),
          },
        ]),
      ),
    }),
  };
}

/** One change to the published version history: breaking ones fail `generate`, others warn. */
export interface HistoryChange {
  breaking: boolean;
  message: string;
}

/**
 * Changes to the storage version and the conversions of a published resource. kcp stores every
 * object in the storage version: a new one leaves the objects already stored in the old encoding,
 * readable only while the old version and the conversions to it stay, and moves every consumer's
 * bound resource at once. A published conversion between versions that are still served keeps
 * consumers' objects readable in both: removing it loses fields, changing it reads stored objects
 * differently.
 */
export function versionHistoryChanges(old: LockedResource, resource: AnyResource): HistoryChange[] {
  const out: HistoryChange[] = [];
  const oldVersions = Object.keys(old.versions);
  const oldStorage = old.storageVersion ?? (oldVersions.length === 1 ? oldVersions[0] : undefined);
  const storage = resource.storageVersion as string;
  if (oldStorage !== undefined && oldStorage !== storage)
    out.push({
      breaking: true,
      message: `storage version changed from ${oldStorage} to ${storage}: objects consumers already stored stay encoded as ${oldStorage} (kcp converts them on every read until each is written again), so ${oldStorage} and the conversions between it and ${storage} must stay served until then, and every consumer's bound resource changes at once; keep the storage version and serve the new version beside it`,
    });
  const now = lockedVersionFields(resource).conversions ?? {};
  for (const [pair, conv] of Object.entries(old.conversions ?? {})) {
    const [from, to] = pair.split("->") as [string, string];
    const served = (v: string) =>
      v in resource.versions && (resource.versions[v] as { served?: boolean }).served !== false;
    if (!now[pair]) {
      if (served(from) && served(to))
        out.push({
          breaking: true,
          message: `conversions["${pair}"] was published and is gone: objects read or written as ${to} lose the fields it converted`,
        });
    } else if (canonicalJson(now[pair]) !== canonicalJson(conv)) {
      out.push({
        breaking: false,
        message: `conversions["${pair}"] changed: objects already stored now convert with the new rules; check that they still read back as before`,
      });
    }
  }
  return out;
}
