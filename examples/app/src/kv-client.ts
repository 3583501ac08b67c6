/** Connection details as the Database provider writes them into its connection Secret. */
export interface Connection {
  endpoint: string;
  username: string;
  password: string;
}

/** Why talking to the database failed, ready for a Ready condition. */
export class DatabaseError extends Error {
  override readonly name = "DatabaseError";
  constructor(
    message: string,
    readonly reason: "DatabaseUnreachable" | "DatabaseAuthFailed" | "DatabaseError",
  ) {
    super(message);
  }
}

/**
 * Stores `value` under `key` in the database and reads it back: the App's real use of the
 * database, and proof that the endpoint and credentials of the Secret work.
 *
 * @throws {DatabaseError} when the database cannot be reached, rejects the credentials, or answers wrongly
 */
export async function storeAndVerify(
  conn: Connection,
  key: string,
  value: string,
  signal: AbortSignal,
): Promise<void> {
  const url = `${conn.endpoint.replace(/\/$/, "")}/kv/${encodeURIComponent(key)}`;
  const headers = {
    Authorization: `Basic ${Buffer.from(`${conn.username}:${conn.password}`).toString("base64")}`,
  };
  // A hung database must not hold a reconcile worker forever.
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(5_000)]);
  const call = async (init: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers, signal: timeout });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new DatabaseError(
        `cannot reach the database at ${conn.endpoint}: ${cause}`,
        "DatabaseUnreachable",
      );
    }
    if (res.status === 401 || res.status === 403) {
      throw new DatabaseError(
        `the database at ${conn.endpoint} rejected the credentials (HTTP ${res.status})`,
        "DatabaseAuthFailed",
      );
    }
    return res;
  };
  const put = await call({ method: "PUT", body: value });
  if (!put.ok) throw new DatabaseError(`PUT ${key} answered HTTP ${put.status}`, "DatabaseError");
  const get = await call({ method: "GET" });
  const stored = get.ok ? await get.text() : undefined;
  if (stored !== value) {
    throw new DatabaseError(
      `GET ${key} after PUT answered HTTP ${get.status}${get.ok ? " with other data" : ""}`,
      "DatabaseError",
    );
  }
}
