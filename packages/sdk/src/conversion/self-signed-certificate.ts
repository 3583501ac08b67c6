import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIP } from "node:net";

/** A certificate and its key, PEM-encoded. */
export interface CertificateAndKey {
  cert: string;
  key: string;
}

/** Options of {@link selfSignedCertificate}. */
export interface SelfSignedOptions {
  /** Host names and IP addresses the certificate is for (default `127.0.0.1`, `localhost`). */
  hosts?: readonly string[];
  /** Days it is valid (default 365). */
  days?: number;
}

// DER (X.690) encoding of the few ASN.1 types an X.509 certificate needs.
function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : n < 0x10000
          ? Buffer.from([0x82, n >> 8, n & 0xff])
          : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const explicit = (n: number, b: Buffer) => tlv(0xa0 + n, b);
const integer = (b: Buffer) => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, "").slice(2, 14);
  return tlv(0x17, Buffer.from(`${s}Z`, "ascii"));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split(".").map(Number));
  const [head, tail = ""] = ip.split("::") as [string, string?];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

/**
 * Makes a self-signed serving certificate (ECDSA P-256, SHA-256) for a conversion webhook: give
 * the certificate as the APIResourceSchema's `caBundle` (`mesh-codegen generate
 * --conversion-ca-bundle`) and both to {@link serveConversionWebhook}. For local kcp and tests; in
 * production use your platform's certificates.
 *
 * @example
 * ```ts
 * const { cert, key } = selfSignedCertificate({ hosts: ["127.0.0.1", "localhost"] });
 * ```
 */
export function selfSignedCertificate(options: SelfSignedOptions = {}): CertificateAndKey {
  const hosts = options.hosts ?? ["127.0.0.1", "localhost"];
  if (hosts.length === 0) throw new Error("selfSignedCertificate: give at least one host");
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(`mesh conversion webhook ${hosts[0]}`)))));
  const now = Date.now();
  const altNames = hosts.map((h) => (isIP(h) ? tlv(0x87, ipBytes(h)) : tlv(0x82, Buffer.from(h, "ascii"))));
  const ext = (id: string, critical: boolean, value: Buffer) =>
    seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), octets(value));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(randomBytes(16)),
    ecdsaSha256,
    name,
    seq(time(new Date(now - 3600_000)), time(new Date(now + (options.days ?? 365) * 86_400_000))),
    name,
    spki,
    explicit(
      3,
      seq(
        ext("2.5.29.19", true, seq(tlv(0x01, Buffer.from([0xff])))), // basicConstraints: CA (it is its own CA bundle)
        ext("2.5.29.15", true, bits(Buffer.from([0x84]), 2)), // keyUsage: digitalSignature, keyCertSign
        ext("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))), // extKeyUsage: serverAuth
        ext("2.5.29.17", false, seq(...altNames)), // subjectAltName
      ),
    ),
  );
  const der = seq(tbs, ecdsaSha256, bits(sign("sha256", tbs, privateKey)));
  const pem = der.toString("base64").replace(/.{1,64}/g, "$&\n");
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${pem}-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
