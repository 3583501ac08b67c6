import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import pointApi from "../../testdata/point-api.js";
import { generate } from "../generate/generate.js";
import { renderLock } from "../lock/lock-file.js";
import { isAmbiguousScalar, parseYamlDocuments, toSafeYaml, YAML_1_1 } from "./yaml.js";

// What YAML 1.1 (kubectl, sigs.k8s.io/yaml, Helm, Kustomize) or 1.2 readers take for something else.
const AMBIGUOUS = [
  ...["y", "Y", "n", "N", "yes", "Yes", "NO", "on", "On", "OFF", "off", "true", "False"],
  ...["null", "Null", "~", "", "1", "-1", "+1", "1.5", ".5", "1e3", "0x1F", "0o17", "017", "0b101"],
  ...["1_000", "60:30", ".inf", "-.Inf", ".nan", "2001-12-14", "2001-12-14T21:59:43Z", "<<", "="],
];

describe("YAML that every reader reads alike", () => {
  it.each(AMBIGUOUS)("quotes %j as a key and as a value", (s) => {
    expect(isAmbiguousScalar(s)).toBe(true);
    const text = toSafeYaml({ [s]: s, list: [s] });
    for (const read of [parseYamlDocuments(text, "t")[0], ...["1.1", "1.2"].map(readAs(text))]) {
      expect(read).toEqual({ [s]: s, list: [s] });
    }
  });

  it("leaves ordinary strings bare", () => {
    for (const s of ["x", "widgets", "a b", "Ready", "v1alpha1", "self.min <= self.max"]) {
      expect(isAmbiguousScalar(s)).toBe(false);
    }
    expect(toSafeYaml({ kind: "Widget", n: 1 })).toBe('kind: Widget\n"n": 1\n');
  });

  it("writes generated files that a YAML 1.1 reader reads as the objects generated", () => {
    const result = generate(pointApi, { source: "point-api.ts" });
    const docs = Object.entries(result.files).flatMap(([file, text]) => parseYamlDocuments(text, file));
    expect(docs).toEqual(JSON.parse(JSON.stringify(result.objects)));
    for (const [file, text] of Object.entries(result.files)) {
      expect(readAllAs(text, "1.2"), file).toEqual(readAllAs(text, "1.1"));
    }
    const schema = JSON.stringify(result.objects[0]);
    for (const s of ['"on":', '"y":', '"n":', '"Y":', '["yes","no","off","null","1e3","0o17","2001-12-14"]'])
      expect(schema).toContain(s);
    const lock = renderLock(result.lock);
    expect(parseAllDocuments(lock, YAML_1_1)[0]!.toJS()).toEqual(JSON.parse(JSON.stringify(result.lock)));
  });
});

function readAs(text: string) {
  return (version: string) => readAllAs(text, version)[0];
}

function readAllAs(text: string, version: string): unknown[] {
  const options = version === "1.1" ? YAML_1_1 : { version: "1.2" as const };
  return parseAllDocuments(text, options).map((d) => d.toJS() as unknown);
}
