import type { Logger } from "pino";

/** Where a workspace stands with the provider. */
export type WorkspaceState = "active" | "terminating";

/**
 * The provider's one record of which workspaces are engaged. Every watched resource's gate
 * reports its workspaces (they agree, being fed by the same APIBinding watch); a workspace leaves
 * when the last of them reports it gone, and only then do the `onLeave` callbacks run, once.
 */
export class WorkspaceStates<Source> {
  private readonly workspaces = new Map<string, { state: WorkspaceState; sources: Set<Source> }>();

  constructor(
    private readonly options: {
      logger: Logger;
      /** The number of engaged workspaces changed. */
      onCount: (n: number) => void;
      /** A workspace left: drop its work and state. */
      onLeave: (workspace: string) => void;
    },
  ) {}

  /** The state of a workspace, `undefined` when it is not engaged. */
  get(workspace: string): WorkspaceState | undefined {
    return this.workspaces.get(workspace)?.state;
  }

  /** A snapshot of every engaged workspace. */
  snapshot(): ReadonlyMap<string, WorkspaceState> {
    return new Map([...this.workspaces].map(([ws, w]) => [ws, w.state]));
  }

  /** `source` reports the workspace engaged (`active`) or its binding being deleted (`terminating`). */
  engage(source: Source, workspace: string, state: WorkspaceState): void {
    let w = this.workspaces.get(workspace);
    if (!w) {
      w = { state, sources: new Set() };
      this.workspaces.set(workspace, w);
      this.options.onCount(this.workspaces.size);
    }
    w.sources.add(source);
    if (w.state !== state) {
      w.state = state;
      if (state === "terminating") {
        this.options.logger.info(
          { workspace },
          "workspace terminating: finalizing its objects before it leaves",
        );
      }
    }
  }

  /** `source` reports the workspace gone. */
  disengage(source: Source, workspace: string): void {
    const w = this.workspaces.get(workspace);
    if (!w) return;
    w.sources.delete(source);
    if (w.sources.size > 0) return;
    this.workspaces.delete(workspace);
    this.options.onCount(this.workspaces.size);
    this.options.logger.info({ workspace }, "workspace disengaged: its work is dropped");
    this.options.onLeave(workspace);
  }
}
