/** Compares two resourceVersions of one endpoint: etcd revisions, so numeric when they look numeric. */
export function rvAtLeast(have: string | undefined, want: string): boolean {
  if (have === undefined) return false;
  if (/^\d+$/.test(have) && /^\d+$/.test(want)) return BigInt(have) >= BigInt(want);
  return have === want;
}

/**
 * Read-your-writes for a controller: remembers the resourceVersion of the runtime's last write per
 * key, so that the next reconcile of that key waits (bounded) until the cache shows it instead of
 * acting on the state before its own write (running a cleanup twice, writing a status over itself).
 */
export class WriteTracker {
  private readonly lastWritten = new Map<string, string>();
  private readonly waiters = new Map<string, Set<() => void>>();

  /** The runtime wrote `resourceVersion` for `id`. */
  wrote(id: string, resourceVersion: string | undefined): void {
    if (resourceVersion) this.lastWritten.set(id, resourceVersion);
  }

  /** The cache changed for `id`: waiters look again. */
  observed(id: string): void {
    const set = this.waiters.get(id);
    if (set) for (const w of set) w();
  }

  forget(id: string): void {
    this.lastWritten.delete(id);
  }

  /** Forgets every key starting with `prefix` (a workspace's keys). */
  forgetPrefix(prefix: string): void {
    for (const k of this.lastWritten.keys()) if (k.startsWith(prefix)) this.lastWritten.delete(k);
  }

  /**
   * Resolves with what `read()` returns once it shows at least the last write of `id` (or is gone),
   * or after `timeoutMs` with whatever it shows then; `onTimeout` is told the version waited for.
   */
  async fresh<E extends { object: { metadata: { resourceVersion?: string } } }>(
    id: string,
    read: () => E | undefined,
    timeoutMs: number,
    onTimeout: (want: string) => void,
  ): Promise<E | undefined> {
    const want = this.lastWritten.get(id);
    const caughtUp = () => {
      const e = read();
      return !e || want === undefined || rvAtLeast(e.object.metadata.resourceVersion, want);
    };
    if (caughtUp()) return read();
    await new Promise<void>((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const check = () => {
        if (caughtUp()) finish();
      };
      const timer = setTimeout(() => {
        onTimeout(want!);
        finish();
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        set.delete(check);
        if (set.size === 0) this.waiters.delete(id);
        resolve();
      };
      set.add(check);
    });
    return read();
  }
}
