/** A request the fake is told to fail. */
export interface FailNextOptions {
  /** HTTP status to answer with; default 503. */
  status?: number;
  /** Only requests whose method and URL (`GET /clusters/...?...`) match; default every request. */
  match?: RegExp;
}

/**
 * Fault hooks of a fake kcp: what a flaky network or an API server under pressure does to a
 * client, on demand.
 *
 * @example
 * ```ts
 * const kcp = await startFakeKcp();
 * kcp.faults.failNext(2, { status: 500, match: /apibindings/ });
 * kcp.faults.latencyMs = 50;
 * kcp.faults.expireWatches(); // every open watch gets a 410 and ends
 * kcp.faults.dropConnections(); // every open connection is cut
 * ```
 */
export interface FakeKcpFaults {
  /** Cuts every open connection (watches included) without an answer. */
  dropConnections(): void;
  /**
   * Forgets the watch history (as an etcd compaction does): watches and continue tokens from an
   * older resourceVersion get 410 Expired. `expireWatches` also ends the open ones with a 410.
   */
  compact(): void;
  /** Sends every open watch an ERROR event with 410 Expired and ends it; history is compacted. */
  expireWatches(): void;
  /** Answers the next `n` matching requests with an error Status. */
  failNext(n: number, options?: FailNextOptions): void;
  /** Delay before every answer, in ms (0, the default, for none). */
  latencyMs: number;
  /** Clears pending failures and latency. */
  reset(): void;
}

/** The state behind {@link FakeKcpFaults}, as the server consults it. */
export class FaultState implements FakeKcpFaults {
  latencyMs = 0;
  readonly sockets = new Set<{ destroy(): void }>();
  private failures: { left: number; status: number; match: RegExp | undefined }[] = [];

  constructor(
    private readonly onCompact: () => void,
    private readonly onExpireWatches: () => void,
  ) {}

  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  compact(): void {
    this.onCompact();
  }

  expireWatches(): void {
    this.onCompact();
    this.onExpireWatches();
  }

  failNext(n: number, options: FailNextOptions = {}): void {
    this.failures.push({ left: n, status: options.status ?? 503, match: options.match });
  }

  reset(): void {
    this.failures = [];
    this.latencyMs = 0;
  }

  /** The status to fail this request with, if a pending failure matches it. */
  take(request: string): number | undefined {
    for (const f of this.failures) {
      if (f.left > 0 && (!f.match || f.match.test(request))) {
        f.left--;
        this.failures = this.failures.filter((x) => x.left > 0);
        return f.status;
      }
    }
    return undefined;
  }
}
