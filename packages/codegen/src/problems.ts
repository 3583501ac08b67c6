/** One thing wrong with an API or a schema, located precisely enough to fix without guessing. */
export interface Problem {
  /** What it is about: `Widget v1alpha1`, `API widgets.example.io`, or `deploy/x.yaml: APIResourceSchema n`. */
  where: string;
  /** JSON path in the object (`spec.replicas`, `spec.items[*].name`); empty when about the whole thing. */
  path: string;
  /** What is wrong and what to write instead. */
  message: string;
  /** Warnings are printed but do not fail the run. */
  severity: "error" | "warning";
}

/** One problem as a line: `Widget v1alpha1 spec.when: z.date() ...`. */
export function formatProblem(p: Problem): string {
  const tag = p.severity === "warning" ? "warning: " : "";
  return `${tag}${p.where}${p.path ? ` ${p.path}` : ""}: ${p.message}`;
}

/** Thrown when generation cannot go on; carries every problem found, not just the first. */
export class CodegenError extends Error {
  override readonly name = "CodegenError";
  constructor(readonly problems: Problem[]) {
    super(
      problems
        .filter((p) => p.severity === "error")
        .map(formatProblem)
        .join("\n"),
    );
  }
}

/** Collects problems at paths below one place (a resource version, a file's object). */
export class ProblemSink {
  readonly problems: Problem[] = [];
  constructor(readonly where: string) {}

  error(path: string, message: string): void {
    this.problems.push({ where: this.where, path, message, severity: "error" });
  }

  warn(path: string, message: string): void {
    this.problems.push({ where: this.where, path, message, severity: "warning" });
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === "error");
  }
}
