import { describe, expect, it } from "vitest";
import { classifyChange } from "./changes.js";

describe("classifyChange", () => {
  const split = { api: "/p/api/index.ts", entry: "/p/src/main.ts", sample: "/p/dev/sample.yaml" };
  const together = { api: "/p/src/api.ts", entry: "/p/src/main.ts", sample: "/p/dev/sample.yaml" };

  it("tells the API, the handler and the sample apart", () => {
    expect(classifyChange("/p/api/index.ts", split)).toBe("api");
    expect(classifyChange("/p/api/widget.ts", split)).toBe("api");
    expect(classifyChange("/p/src/handler.ts", split)).toBe("handler");
    expect(classifyChange("/p/src/config.json", split)).toBe("handler");
    expect(classifyChange("/p/dev/sample.yaml", split)).toBe("sample");
    expect(classifyChange("/p/src/api.ts", together)).toBe("api");
    expect(classifyChange("/p/src/main.ts", together)).toBe("handler");
  });

  it("ignores editors' and sed's temporary files, swap files and build output", () => {
    for (const file of [
      "/p/src/sedX4k9Qa", // sed -i writes here, then renames it over the file
      "/p/api/sed0Pz1vB",
      "/p/src/main.ts___jb_tmp___",
      "/p/src/.main.ts.swp",
      "/p/src/4913",
      "/p/src/.#main.ts",
      "/p/src/main.ts~",
      "/p/src/dist/main.js",
      "/p/dev/other.yaml",
    ]) {
      expect(classifyChange(file, split), file).toBeUndefined();
    }
  });
});
