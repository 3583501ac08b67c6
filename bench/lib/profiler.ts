import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

/**
 * CPU profiling of a Node contender on the driver's request (`BENCH_CPU_PROF=<dir>`): the driver
 * asks for a profile of one phase (the burst), which `node --cpu-prof` cannot scope.
 * `GET /profile/start`, then `GET /profile/stop?file=<path>` writes a `.cpuprofile`
 * (Chrome DevTools / speedscope format).
 */
export class PhaseProfiler {
  private session: Session | undefined;

  /** Answers a `/profile/...` request; false if the URL is not one. */
  async handle(url: string): Promise<boolean> {
    if (url.startsWith("/profile/start")) {
      this.session ??= new Session();
      this.session.connect();
      await this.session.post("Profiler.enable");
      await this.session.post("Profiler.setSamplingInterval", { interval: 500 });
      await this.session.post("Profiler.start");
      return true;
    }
    if (url.startsWith("/profile/stop") && this.session) {
      const file = new URL(url, "http://x").searchParams.get("file");
      const { profile } = await this.session.post("Profiler.stop");
      if (file) writeFileSync(file, JSON.stringify(profile));
      this.session.disconnect();
      this.session = undefined;
      return true;
    }
    return false;
  }
}
