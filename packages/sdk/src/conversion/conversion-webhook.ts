import { createServer, type Server } from "node:https";
import type { Logger } from "pino";
import type { AnyResource } from "../api/resource.js";
import { answerConversionReview, type ConversionReview } from "./conversion-review.js";

/** Options of {@link serveConversionWebhook}. */
export interface ConversionWebhookOptions {
  /** The resources whose declared conversions the webhook runs. */
  resources: readonly AnyResource[];
  /** The serving certificate and key (PEM); the APIResourceSchema's `caBundle` must trust the certificate. */
  tls: { cert: string; key: string };
  /** Port (default 0: a free one). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Failed conversions are logged here, with workspace and object (never the object's content). */
  logger?: Logger;
  /** Deadline for reading one review and answering it (default 10 s; kcp itself gives up after 30 s). */
  timeoutMs?: number;
}

/** A running conversion webhook. */
export interface ConversionWebhook {
  /** The URL to give `mesh-codegen generate --conversion-webhook-url` (`https://<host>:<port>/convert`). */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;

/**
 * Serves kcp's conversion webhook for resources with several versions: kcp v0.32 stores an
 * APIConversion but does not run it, so an APIResourceSchema generated with
 * `--conversion-webhook-url` asks this webhook instead, which runs the same declared rules.
 *
 * @example
 * ```ts
 * const webhook = await serveConversionWebhook({ resources: [HttpBin], tls: { cert, key }, port: 9443 });
 * ```
 */
export async function serveConversionWebhook(options: ConversionWebhookOptions): Promise<ConversionWebhook> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://localhost");
    if (req.method !== "POST" || url.pathname !== "/convert") {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      if (res.headersSent) return;
      let review: ConversionReview;
      try {
        review = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ConversionReview;
        const { review: answer, failure } = answerConversionReview(options.resources, review);
        if (failure) options.logger?.warn(failure, "conversion failed");
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(answer));
      } catch (err) {
        res.writeHead(400, { "Content-Type": "text/plain" }).end((err as Error).message);
      }
    });
  });
  server.requestTimeout = timeoutMs;
  server.headersTimeout = Math.min(timeoutMs, 60_000);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : (options.port ?? 0);
  const host = options.host ?? "127.0.0.1";
  return {
    url: `https://${host.includes(":") ? `[${host}]` : host}:${port}/convert`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
