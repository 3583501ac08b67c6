import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeClient } from "@kcp-mesh/sdk";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { kcpEnv } from "../support/kcp.js";

// The SDK reads token, token-file and client-certificate kubeconfigs itself and loads
// @kubernetes/client-node only for exec and auth-provider plugins: each kind against the real kcp.
describe("kubeconfig credentials against kcp", () => {
  const admin = parse(readFileSync(kcpEnv().kubeconfigPath, "utf8")) as {
    clusters: { name: string; cluster: { server: string; "certificate-authority-data": string } }[];
    users: { name: string; user: { token: string } }[];
  };
  const root = admin.clusters.find((c) => c.name === "root")!.cluster;
  const token = admin.users.find((u) => u.name === "kcp-admin")!.user.token;
  const dir = mkdtempSync(join(tmpdir(), "kubeconfig-auth-"));
  writeFileSync(join(dir, "ca.crt"), Buffer.from(root["certificate-authority-data"], "base64"));

  const kubeconfig = (file: string, user: string, cluster = "    certificate-authority: ca.crt") => {
    writeFileSync(
      join(dir, file),
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: kcp",
        "  cluster:",
        `    server: ${root.server}`,
        cluster,
        "contexts:",
        "- name: root",
        "  context: { cluster: kcp, user: u }",
        "current-context: root",
        "users:",
        "- name: u",
        "  user:",
        user,
        "",
      ].join("\n"),
    );
    return KubeClient.fromKubeConfig({ path: join(dir, file) });
  };
  const listWorkspaces = async (client: KubeClient) => {
    try {
      await client.checkCredentials();
      return await client.request<{ kind: string }>({ path: "/apis/tenancy.kcp.io/v1alpha1/workspaces" });
    } finally {
      client.close();
    }
  };

  it("a bearer token, with the CA file named relative to the kubeconfig", async () => {
    const list = await listWorkspaces(kubeconfig("token.kubeconfig", `    token: ${token}`));
    expect(list.kind).toBe("WorkspaceList");
  });

  it("a token file", async () => {
    writeFileSync(join(dir, "token"), `${token}\n`);
    const list = await listWorkspaces(kubeconfig("token-file.kubeconfig", "    tokenFile: token"));
    expect(list.kind).toBe("WorkspaceList");
  });

  it("an exec plugin (through client-node)", async () => {
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      status: { token },
    });
    const exec = [
      "    exec:",
      "      apiVersion: client.authentication.k8s.io/v1beta1",
      `      command: ${JSON.stringify(process.execPath)}`,
      `      args: ["-e", ${JSON.stringify(`process.stdout.write(${JSON.stringify(credential)})`)}]`,
      "      interactiveMode: Never",
    ].join("\n");
    const list = await listWorkspaces(kubeconfig("exec.kubeconfig", exec));
    expect(list.kind).toBe("WorkspaceList");
  });

  it("a wrong token is refused by kcp (401), not let through", async () => {
    await expect(listWorkspaces(kubeconfig("bad.kubeconfig", "    token: not-a-token"))).rejects.toThrow(
      /401/,
    );
  });

  it("a server certificate the kubeconfig's CA did not sign is refused", async () => {
    await expect(listWorkspaces(kubeconfig("no-ca.kubeconfig", `    token: ${token}`, ""))).rejects.toThrow(
      /certificate/,
    );
  });
});
