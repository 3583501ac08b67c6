import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.js";

describe("Backoff", () => {
  it("doubles from 0.8 s to 30 s and resets after 120 s without calls", () => {
    let now = 0;
    const b = new Backoff({ now: () => now, random: () => 0.5 });
    const delays = Array.from({ length: 8 }, () => {
      now += 1000;
      return b.next();
    });
    expect(delays).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    now += 121_000;
    expect(b.next()).toBe(800);
  });

  it("spreads delays by the jitter", () => {
    const low = new Backoff({ random: () => 0 }).next();
    const high = new Backoff({ random: () => 0.999999 }).next();
    expect(low).toBe(640);
    expect(high).toBe(960);
  });
});
