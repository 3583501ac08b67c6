import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient } from "./kube-client.js";
import { clientNodeLoaded } from "./kube-credentials.js";

// Each test talks to a local server that answers with what it saw: the Authorization header and
// the CN of the client certificate. The client reads these kubeconfigs without client-node, except
// for the exec plugin, which loads it on demand.

const dir = mkdtempSync(join(tmpdir(), "kube-credentials-"));
const seen: { authorization?: string; clientCn?: string }[] = [];
const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
  const peer = (req.socket as TLSSocket).getPeerCertificate?.();
  seen.push({
    ...(req.headers.authorization && { authorization: req.headers.authorization }),
    ...(peer?.subject?.CN && { clientCn: String(peer.subject.CN) }),
  });
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify({ kind: "Status", status: "Success" }));
};
let plain: http.Server;
let tls: https.Server;
let plainUrl: string;
let tlsUrl: string;

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

beforeAll(async () => {
  // A CA, a server certificate for 127.0.0.1 and a client certificate (CN=provider), all signed by it.
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "1",
    "-subj",
    "/CN=test-ca",
  );
  for (const [name, subj, ext] of [
    ["server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1"],
    ["client", "/CN=provider", "extendedKeyUsage=clientAuth"],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      subj,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "1",
      "-extfile",
      `${name}.ext`,
    );
  }
  plain = http.createServer(answer);
  tls = https.createServer(
    {
      key: readFileSync(join(dir, "server.key")),
      cert: readFileSync(join(dir, "server.crt")),
      ca: readFileSync(join(dir, "ca.crt")),
      requestCert: true,
      rejectUnauthorized: true,
    },
    answer,
  );
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
});

afterAll(() => {
  plain.close();
  tls.close();
});

const HTTP = "    insecure-skip-tls-verify: true";
const kubeconfig = (server: string, cluster: string, user: string) => `
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${server}
${cluster}
contexts:
- name: ctx
  context: { cluster: c, user: u }
current-context: ctx
users:
- name: u
  user:
${user}
`;

async function whatServerSaw(client: KubeClient) {
  seen.length = 0;
  await client.request({ path: "/api" });
  client.close();
  return seen[0];
}

describe("kubeconfig credentials", () => {
  it("sends a token, without loading @kubernetes/client-node", async () => {
    const client = KubeClient.fromKubeConfig({
      yaml: kubeconfig(plainUrl, HTTP, "    token: static-token"),
    });
    expect(await whatServerSaw(client)).toEqual({ authorization: "Bearer static-token" });
    expect(clientNodeLoaded()).toBe(false);
  });

  it("reads a token file named relative to the kubeconfig file", async () => {
    mkdirSync(join(dir, "tokens"), { recursive: true });
    writeFileSync(join(dir, "tokens", "sa"), "file-token\n");
    writeFileSync(join(dir, "token.kubeconfig"), kubeconfig(plainUrl, HTTP, "    tokenFile: tokens/sa"));
    const client = KubeClient.fromKubeConfig({ path: join(dir, "token.kubeconfig") });
    expect(await whatServerSaw(client)).toEqual({ authorization: "Bearer file-token" });
  });

  it("presents a client certificate and verifies the server against the CA file", async () => {
    const b64 = (f: string) => readFileSync(join(dir, f)).toString("base64");
    writeFileSync(
      join(dir, "cert.kubeconfig"),
      kubeconfig(
        tlsUrl,
        "    certificate-authority: ca.crt",
        `    client-certificate-data: ${b64("client.crt")}\n    client-key-data: ${b64("client.key")}`,
      ),
    );
    const client = KubeClient.fromKubeConfig({ path: join(dir, "cert.kubeconfig") });
    await client.checkCredentials();
    expect(await whatServerSaw(client)).toEqual({ clientCn: "provider" });
    expect(clientNodeLoaded()).toBe(false);
  });

  it("refuses to send credentials over plain HTTP unless TLS checks are off", async () => {
    const client = KubeClient.fromKubeConfig({ yaml: kubeconfig(plainUrl, "", "    token: t") });
    await expect(client.request({ path: "/api" })).rejects.toThrow(/insecure-skip-tls-verify/);
    client.close();
  });

  it("refuses a server whose certificate the kubeconfig's CA did not sign", async () => {
    const client = KubeClient.fromKubeConfig({
      yaml: kubeconfig(tlsUrl, "", "    token: t"),
    });
    await expect(client.request({ path: "/api" })).rejects.toThrow(/certificate/);
    client.close();
  });

  it("runs an exec plugin for the token, loading client-node for it", async () => {
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      status: { token: "exec-token" },
    });
    const exec = [
      "    exec:",
      "      apiVersion: client.authentication.k8s.io/v1beta1",
      `      command: ${JSON.stringify(process.execPath)}`,
      `      args: ["-e", ${JSON.stringify(`process.stdout.write(${JSON.stringify(credential)})`)}]`,
      "      interactiveMode: Never",
    ].join("\n");
    const client = KubeClient.fromKubeConfig({ yaml: kubeconfig(plainUrl, HTTP, exec) });
    await client.checkCredentials();
    expect(await whatServerSaw(client)).toEqual({ authorization: "Bearer exec-token" });
    expect(clientNodeLoaded()).toBe(true);
  });
});
