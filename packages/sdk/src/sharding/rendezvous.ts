import { createHash } from "node:crypto";

/**
 * Rendezvous (highest-random-weight) hashing: every replica computes the same owner from the same
 * peer list without talking to the others, and when a peer joins or leaves only the keys it wins
 * or held move (about 1/n of them), unlike `hash mod n`, which moves almost all.
 */

/** A 64-bit score of a string; stable across processes and versions of Node. */
export function score(input: string): bigint {
  return createHash("sha256").update(input).digest().readBigUInt64BE(0);
}

/** The peer with the highest score for `key`, or `undefined` when there are no peers. */
export function ownerOf(key: string, peers: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = -1n;
  for (const peer of peers) {
    const s = score(`${peer}\u0000${key}`);
    // Ties (practically impossible with 64 bits) go to the smaller name, so every peer agrees.
    if (s > bestScore || (s === bestScore && best !== undefined && peer < best)) {
      best = peer;
      bestScore = s;
    }
  }
  return best;
}

/** The bucket (0..buckets-1) a workspace falls in; the bucket, not the workspace, is leased. */
export function bucketOf(workspace: string, buckets: number): number {
  return Number(score(workspace) % BigInt(buckets));
}
