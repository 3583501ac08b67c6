import type { IncomingMessage, ServerResponse } from "node:http";

/** An answer that is a Kubernetes Status (every non-2xx answer of the fake). */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (qualified: string, name: string) =>
  new StatusError(404, "NotFound", `${qualified} "${name}" not found`, {
    name,
    kind: qualified.split(".")[0],
  });

export const badRequest = (message: string) => new StatusError(400, "BadRequest", message);

export function statusBody(err: StatusError): Record<string, unknown> {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: err.message,
    reason: err.reason,
    ...(err.details && { details: err.details }),
    code: err.code,
  };
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatus(res: ServerResponse, err: StatusError): void {
  sendJson(res, err.code, statusBody(err));
}

export async function readRequestBody(req: IncomingMessage, limit = 3 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new StatusError(413, "RequestEntityTooLarge", "request is too large");
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
