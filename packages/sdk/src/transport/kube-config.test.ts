import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KubeClient } from "./kube-client.js";
import { KubeConfigError, loadKubeConfig } from "./kube-config.js";

const good = `
apiVersion: v1
kind: Config
clusters:
- name: kcp
  cluster:
    server: https://127.0.0.1:6443/clusters/root
contexts:
- name: root
  context: { cluster: kcp, user: admin }
current-context: root
users:
- name: admin
  user: { token: secret-token }
`;

describe("loadKubeConfig", () => {
  it("loads a valid kubeconfig", () => {
    const kc = loadKubeConfig({ yaml: good });
    expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443/clusters/root");
  });

  it("names a missing file", () => {
    expect(() => loadKubeConfig({ path: "/nonexistent/kubeconfig" })).toThrow(
      new KubeConfigError("kubeconfig /nonexistent/kubeconfig: file does not exist"),
    );
  });

  it("names a file that is not YAML", () => {
    const dir = mkdtempSync(join(tmpdir(), "kc-"));
    const file = join(dir, "broken");
    writeFileSync(file, "clusters: [\n");
    expect(() => loadKubeConfig({ path: file })).toThrow(/^kubeconfig .*broken: cannot be parsed/);
  });

  it("names an unknown context and lists the known ones", () => {
    expect(() => loadKubeConfig({ yaml: good, context: "nope" })).toThrow(
      'the inline kubeconfig: context "nope" not found (contexts: root)',
    );
  });

  it("names a context whose cluster is not defined", () => {
    const yaml = good.replace("cluster: kcp, user", "cluster: other, user");
    expect(() => loadKubeConfig({ yaml })).toThrow(
      /context "root" refers to cluster "other", which is not defined/,
    );
  });

  it("names a server that is not a URL", () => {
    const yaml = good.replace("https://127.0.0.1:6443/clusters/root", "not a url");
    expect(() => loadKubeConfig({ yaml })).toThrow(
      /clusters\[kcp\]\.cluster\.server "not a url" is not a URL/,
    );
  });

  it("names a context whose user is not defined", () => {
    const yaml = good.replace("user: admin }", "user: ghost }");
    expect(() => loadKubeConfig({ yaml })).toThrow(/refers to user "ghost", which is not defined/);
  });
});

describe("KubeClient URLs", () => {
  const client = KubeClient.fromKubeConfig({ yaml: good });

  it("appends paths and query to the base URL", () => {
    expect(client.url("/api/v1/namespaces", { limit: 5, continue: undefined }).toString()).toBe(
      "https://127.0.0.1:6443/clusters/root/api/v1/namespaces?limit=5",
    );
  });

  it("switches workspace by replacing the /clusters/ suffix", () => {
    expect(client.forWorkspace("root:orgs:acme").baseUrl.toString()).toBe(
      "https://127.0.0.1:6443/clusters/root:orgs:acme",
    );
  });

  it("keeps a virtual workspace prefix when switching workspace", () => {
    const vw = client.withBaseUrl("https://127.0.0.1:6443/services/apiexport/abc/widgets.example.io");
    expect(vw.forWorkspace("2x7kp").url("/api/v1/secrets").pathname).toBe(
      "/services/apiexport/abc/widgets.example.io/clusters/2x7kp/api/v1/secrets",
    );
  });
});
