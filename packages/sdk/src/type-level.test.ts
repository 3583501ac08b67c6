import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// vitest strips types, so the type-level assertions of the files below (expectTypeOf and
// expected-error directives) prove nothing when vitest runs them. This test runs tsc over them,
// so `npm test` fails when one breaks, not only `npm run lint`.
const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const tsconfig = fileURLToPath(new URL("../tsconfig.type-tests.json", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const { files } = JSON.parse(readFileSync(tsconfig, "utf8")) as { files: string[] };

describe("type-level tests", () => {
  it("cover the files that hold type-level assertions", () => {
    expect(files).toEqual([
      "src/provider/provider-types.test.ts",
      "src/api/api.test.ts",
      "src/api/conversion.test.ts",
    ]);
  });

  it("compile under tsc: every expectTypeOf holds and every expected type error still occurs", async () => {
    const output = await new Promise<{ code: number; text: string }>((resolve) => {
      execFile(
        process.execPath,
        [tsc, "--noEmit", "--pretty", "false", "-p", tsconfig],
        { cwd: sdkDir, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
          resolve({ code, text: `${stdout}${stderr}` });
        },
      );
    });
    const errors = output.text
      .split("\n")
      .map((line) => /^(.+?)\(\d+,\d+\): error TS\d+: /.exec(line))
      .filter((m) => m !== null);
    // A failed type-level assertion is reported in the test file itself. Errors in other files
    // (sources being edited) are `npm run lint`'s to report; they do not make this test fail.
    expect(
      errors.filter((m) => files.includes(m[1]!)).map((m) => m.input),
      "type errors in the type-level test files",
    ).toEqual([]);
    // tsc ran to the end: it exits 0, or 2 with errors it reported (not a crash or a timeout).
    expect(output.code === 0 || (output.code === 2 && errors.length > 0), output.text).toBe(true);
  }, 180_000);
});
