import { describe, expect, it } from "vitest";
import { generateCommand } from "./generate-command.js";

describe("generateCommand", () => {
  const base = {
    api: "api/index.ts",
    out: "deploy",
    allowBreaking: false,
    node: "/usr/bin/node",
    npmExecPath: "/npm/bin/npm-cli.js",
    codegenBin: "/p/node_modules/.bin/mesh-codegen",
  };

  it("runs the project's generate script, so its flags apply in the loop too", () => {
    const scripts = {
      generate: "mesh-codegen generate api/index.ts --out deploy --bind-group system:authenticated",
    };
    expect(generateCommand({ ...base, scripts })).toEqual({
      cmd: "/usr/bin/node",
      args: ["/npm/bin/npm-cli.js", "run", "--silent", "generate"],
      shown: "npm run --silent generate",
    });
    expect(generateCommand({ ...base, scripts, allowBreaking: true, npmExecPath: undefined })).toEqual({
      cmd: "npm",
      args: ["run", "--silent", "generate", "--", "--allow-breaking"],
      shown: "npm run --silent generate -- --allow-breaking",
    });
  });

  it("runs mesh-codegen itself when the project has no generate script that does", () => {
    const cases: (Record<string, string> | undefined)[] = [undefined, {}, { generate: "tsc && node gen.js" }];
    for (const scripts of cases) {
      expect(generateCommand({ ...base, scripts, allowBreaking: true })).toEqual({
        cmd: "/usr/bin/node",
        args: [
          "/p/node_modules/.bin/mesh-codegen",
          "generate",
          "api/index.ts",
          "--out",
          "deploy",
          "--allow-breaking",
        ],
        shown: "mesh-codegen generate api/index.ts --out deploy --allow-breaking",
      });
    }
  });
});
