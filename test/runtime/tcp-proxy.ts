import net from "node:net";

/** A TCP proxy on 127.0.0.1 that can cut every connection through it, for fault injection. */
export interface TcpProxy {
  port: number;
  /** Connections open now. */
  readonly open: number;
  /** Connections cut so far. */
  readonly cuts: number;
  /** Destroys a random share (0..1) of the open connections, both sides at once. */
  cut(share?: number): void;
  /**
   * Makes every open connection silent: no byte passes either way any more and neither side is
   * closed (no FIN, no RST), as a dead peer behind a NAT or a hung middlebox looks. New
   * connections pass as usual. Returns how many went silent.
   */
  silence(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const silenced = new Set<net.Socket>();
  let cuts = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get open() {
      return pairs.size;
    },
    get cuts() {
      return cuts;
    },
    cut(share = 1) {
      for (const pair of [...pairs]) {
        if (Math.random() < share) {
          cuts++;
          pairs.delete(pair);
          // resetAndDestroy: an RST, as a dying middlebox or a killed peer would send.
          pair[0].resetAndDestroy();
          pair[1].resetAndDestroy();
        }
      }
    },
    silence() {
      const n = pairs.size;
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        const [a, b] = pair;
        a.unpipe(b);
        b.unpipe(a);
        // Read and drop whatever still arrives, so neither side sees back-pressure or an end.
        for (const s of pair) {
          s.removeAllListeners("data");
          s.on("data", () => undefined);
          s.removeAllListeners("end");
          s.on("end", () => undefined);
          silenced.add(s);
        }
      }
      return n;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of silenced) s.destroy();
        for (const [a, b] of pairs) {
          a.destroy();
          b.destroy();
        }
        server.close(() => r());
      }),
  };
}
