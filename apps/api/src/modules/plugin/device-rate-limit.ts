import { deviceRateLimited } from './plugin.errors.js';

const WINDOW_MS = 60_000;
/** Devices remembered at most; expired windows are dropped first, then the oldest. */
const MAX_TRACKED = 200_000;

interface Window {
  hits: number;
  resetAt: number;
}

/**
 * `perMinute` requests per device, app and route family in a fixed one-minute window that starts
 * with the device's first request. Counted in this process's memory: a device request never
 * writes to the database for it (the hot path stays read-only). Each replica counts its own
 * requests, so behind a balancer a device gets up to `perMinute` per replica; the limit is there
 * to stop one misbehaving device, not to meter. 0 turns it off.
 */
export class DeviceRateLimit {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; throws the plugin's 429 (`Retry-After`) when over the limit. */
  hit(route: string, appId: string, deviceId: string): void {
    if (this.perMinute === 0) return;
    const key = `${route}\u0000${appId}\u0000${deviceId}`;
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (window) this.windows.delete(key);
      else if (this.windows.size >= MAX_TRACKED) this.evict(now);
      window = { hits: 0, resetAt: now + WINDOW_MS };
      this.windows.set(key, window);
    }
    window.hits += 1;
    if (window.hits > this.perMinute) throw deviceRateLimited(Math.max(1, Math.ceil((window.resetAt - now) / 1000)));
  }

  /** Frees a tenth of the table at once, so a flood of new devices costs one scan per 20,000 of them. */
  private evict(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    const excess = this.windows.size - Math.floor(MAX_TRACKED * 0.9);
    let dropped = 0;
    // Windows are in insertion order, so the first ones are the oldest.
    for (const key of this.windows.keys()) {
      if (dropped++ >= excess) break;
      this.windows.delete(key);
    }
  }
}
