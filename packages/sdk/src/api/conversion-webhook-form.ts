import { createHash } from "node:crypto";

/** Where kcp reaches a conversion webhook, and the CA that signed its serving certificate. */
export interface ConversionWebhookConfig {
  /** `https://host:port/convert`; kcp requires https. */
  url: string;
  /** The PEM certificate(s) kcp trusts for `url`. */
  caBundle: string;
}

type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
};

/**
 * The generated objects with every APIResourceSchema that has an APIConversion switched to
 * conversion strategy `Webhook` at `config.url`, for kcp releases that store APIConversions but
 * do not run them (v0.32: the API server only knows strategies None and Webhook). The schema
 * gets a new content name (schemas are immutable in kcp), and the APIConversion and the APIExport
 * follow it. Objects are copied, not changed.
 *
 * @example
 * ```ts
 * const objects = withConversionWebhook(generate(api).objects, { url: webhook.url, caBundle: cert });
 * ```
 */
export function withConversionWebhook<T extends object>(
  objects: readonly T[],
  config: ConversionWebhookConfig,
): T[] {
  if (!/^https:\/\//.test(config.url))
    throw new Error(`conversion webhook url ${config.url}: kcp calls conversion webhooks over https only`);
  if (!config.caBundle.includes("-----BEGIN CERTIFICATE-----"))
    throw new Error("conversion webhook caBundle: give the PEM certificate kcp should trust for the webhook");
  const all = objects.map((o) => structuredClone(o) as Obj);
  const conversions = new Set(
    all
      .filter((o) => o.kind === "APIConversion" && o.apiVersion?.startsWith("apis.kcp.io/"))
      .map((o) => o.metadata?.name),
  );
  const renamed = new Map<string, string>();
  for (const o of all) {
    const name = o.metadata?.name;
    if (o.kind !== "APIResourceSchema" || !name || !conversions.has(name) || !o.spec) continue;
    o.spec.conversion = {
      strategy: "Webhook",
      webhook: {
        conversionReviewVersions: ["v1"],
        clientConfig: { url: config.url, caBundle: Buffer.from(config.caBundle).toString("base64") },
      },
    };
    const hash = createHash("sha256")
      .update(`${name}\n${config.url}\n${config.caBundle}`)
      .digest("hex")
      .slice(0, 10);
    const next = /^(v[0-9a-z]+)-[0-9a-f]+\./.test(name)
      ? name.replace(/^(v[0-9a-z]+)-[0-9a-f]+\./, `$1-${hash}.`)
      : `w${hash}.${name}`;
    renamed.set(name, next);
  }
  for (const o of all) {
    const name = o.metadata?.name;
    if ((o.kind === "APIResourceSchema" || o.kind === "APIConversion") && name && renamed.has(name))
      o.metadata = { ...o.metadata, name: renamed.get(name)! };
    if (o.kind === "APIExport" && o.spec) {
      const resources = o.spec.resources as { schema?: string }[] | undefined;
      for (const r of resources ?? [])
        if (r.schema && renamed.has(r.schema)) r.schema = renamed.get(r.schema)!;
      const latest = o.spec.latestResourceSchemas as string[] | undefined;
      if (latest) o.spec.latestResourceSchemas = latest.map((n) => renamed.get(n) ?? n);
    }
  }
  return all as T[];
}
