import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { create } from "./create.js";
import { kindFromDir, pluralOf, validate } from "./options.js";
import { PINNED, renderProject } from "./templates.js";

const work = mkdtempSync(join(tmpdir(), "create-provider-unit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe("create-provider", () => {
  it("derives names a person would pick", () => {
    expect(kindFromDir("/x/my-widgets-provider")).toBe("MyWidget");
    expect(kindFromDir("databases")).toBe("Database");
    expect(kindFromDir("42")).toBe("Widget42");
    expect(pluralOf("Policy")).toBe("policies");
    expect(pluralOf("Box")).toBe("boxes");
    expect(pluralOf("Gateway")).toBe("gateways");
    expect(pluralOf("Widget")).toBe("widgets");
  });

  it("says what to write instead of invalid names", () => {
    const ok = {
      name: "p",
      group: "widgets.example.com",
      kind: "Widget",
      plural: "widgets",
      scope: "Namespaced",
      flavour: "minimal",
    } as const;
    expect(validate(ok)).toEqual([]);
    expect(
      validate({ ...ok, kind: "widget", plural: "Widgets", group: "widgets", name: "My Provider" }),
    ).toEqual([
      'kind "widget": use PascalCase letters and digits, starting with a capital (Widget)',
      'plural "Widgets": use a lowercase DNS label starting with a letter (widgets)',
      'group "widgets": use a lowercase DNS name with at least one dot (widgets.example.com)',
      'name "My Provider": an npm package name is lowercase, without spaces (my-provider or @acme/my-provider)',
    ]);
    expect(validate({ ...ok, group: "widgets.kcp.io" })[0]).toContain("reserved");
    expect(validate({ ...ok, scope: "Global" as "Cluster", flavour: "fancy" as "minimal" })).toEqual([
      'scope "Global": use Namespaced or Cluster',
      'flavour "fancy": use httpbin or minimal',
    ]);
  });

  it("pins what this repository pins", () => {
    const root = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
    const sdk = JSON.parse(readFileSync(new URL("../../sdk/package.json", import.meta.url), "utf8"));
    expect(PINNED.node).toBe(root.devDependencies.node);
    expect(PINNED.tsx).toBe(root.devDependencies.tsx);
    expect(PINNED.typescript).toBe(root.devDependencies.typescript);
    expect(PINNED.vitest).toBe(root.devDependencies.vitest);
    expect(PINNED.typesNode).toBe(root.devDependencies["@types/node"]);
    expect(PINNED.zod).toBe(sdk.dependencies.zod);
    expect(PINNED.engines).toBe(sdk.engines.node);
  });

  it("writes a project from flags, with overrides for tarballs, and no install when told", async () => {
    const c = capture();
    const dir = join(work, "gadgets");
    const code = await create(
      [
        dir,
        "--kind",
        "Gadget",
        "--group",
        "gadgets.acme.dev",
        "--scope",
        "Cluster",
        "--flavour",
        "minimal",
        "--sdk",
        "file:/p/sdk.tgz",
        "--codegen",
        "file:/p/cg.tgz",
        "--dev",
        "file:/p/dev.tgz",
        "--no-install",
      ],
      c.io,
    );
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg).toMatchObject({
      name: "gadgets",
      engines: { node: ">=22.19.0" },
      dependencies: { "@kcp-mesh/sdk": "file:/p/sdk.tgz" },
      devDependencies: {
        "@kcp-mesh/codegen": "file:/p/cg.tgz",
        "@kcp-mesh/dev": "file:/p/dev.tgz",
        node: PINNED.node,
      },
      overrides: { "@kcp-mesh/sdk": "file:/p/sdk.tgz" },
      scripts: {
        dev: "mesh-dev",
        generate: "mesh-codegen generate api/index.ts --out deploy",
        test: "vitest run",
      },
    });
    const apiSrc = readFileSync(join(dir, "api/index.ts"), "utf8");
    expect(apiSrc).toContain('scope: "Cluster"');
    expect(apiSrc).toContain('defineApi({ name: "gadgets.acme.dev", resources: [Gadget] })');
    expect(readFileSync(join(dir, "dev/sample.yaml"), "utf8")).not.toContain("namespace");
    expect(readFileSync(join(dir, "test/provider.test.ts"), "utf8")).toContain(
      "`/apis/gadgets.acme.dev/v1alpha1/gadgets/$",
    );
    expect(c.out.join("\n")).toContain("npm install && npm run generate");
    // No terminal here and no --yes: the one default taken is said, not taken silently.
    expect(c.out[0]).toBe(
      "not a terminal, so nothing was asked; using --plural gadgets (pass them to choose, or --yes to take the defaults quietly)",
    );
  });

  it("asks in a terminal for what the flags leave open", async () => {
    const c = capture();
    const asked: string[] = [];
    const answers: Record<string, string> = {
      "Kind (PascalCase)": "Queue",
      "Scope (Namespaced/Cluster)": "",
    };
    const code = await create([join(work, "q"), "--no-install", "--group", "queues.acme.dev"], {
      ...c.io,
      ask: async (q, fallback) => {
        asked.push(`${q} [${fallback}]`);
        return answers[q] || fallback;
      },
    });
    expect(code).toBe(0);
    expect(asked).toEqual([
      "Kind (PascalCase) [Q]",
      "Plural (lowercase) [queues]",
      "Scope (Namespaced/Cluster) [Namespaced]",
      "Flavour (httpbin/minimal) [httpbin]",
    ]);
  });

  it("refuses a folder that is not empty, and bad names, before writing anything", async () => {
    const c = capture();
    expect(await create([join(work, "gadgets"), "--yes", "--no-install"], c.io)).toBe(1);
    expect(c.err[0]).toContain("exists and is not empty");
    const d = capture();
    expect(await create([join(work, "bad"), "--kind", "bad kind", "--yes", "--no-install"], d.io)).toBe(2);
    expect(d.err[0]).toContain('kind "bad kind"');
  });

  it("renders both flavours and scopes without leftovers", () => {
    for (const flavour of ["httpbin", "minimal"] as const) {
      for (const scope of ["Namespaced", "Cluster"] as const) {
        const files = renderProject({
          name: "x",
          group: "things.example.com",
          kind: "Thing",
          plural: "things",
          scope,
          flavour,
          versions: { sdk: "0.1.0", codegen: "0.1.0", dev: "0.1.0" },
        });
        expect(Object.keys(files)).toContain("test/provider.test.ts");
        expect("src/servers.ts" in files).toBe(flavour === "httpbin");
        for (const [path, text] of Object.entries(files)) {
          expect(text, path).not.toMatch(/"undefined"|\[object Object\]/);
        }
      }
    }
  });
});
