import { deviceRateLimited } from './plugin.errors.js';

const WINDOW_MS = 60_000;
/** Devices counted at most per window: a flood of new device ids cannot grow memory past this. */
const MAX_TRACKED = 200_000;

/**
 * `perMinute` requests per device, app and route family in fixed one-minute windows (a window
 * starts with the first request after the previous one ended, and is shared by every device).
 * Counted in this process's memory: a device request never writes to the database for it (the
 * hot path stays read-only). Each replica counts its own requests, so behind a balancer a device
 * gets up to `perMinute` per replica; the limit is there to stop one misbehaving device, not to
 * meter. 0 turns it off.
 *
 * One shared window keeps each device down to a key and a small integer: no per-device clock, and
 * the whole table is dropped at once when the window ends instead of being scanned for expired
 * entries (every app launch of every device passes here, so its memory is mostly new devices).
 * Once `MAX_TRACKED` devices are counted, devices not yet seen in the window pass uncounted until
 * it ends; the ones already counted stay limited.
 */
export class DeviceRateLimit {
  private hits = new Map<string, number>();
  private windowEndsAt = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; throws the plugin's 429 (`Retry-After`) when over the limit. */
  hit(route: string, appId: string, deviceId: string): void {
    if (this.perMinute === 0) return;
    const now = this.now();
    if (now >= this.windowEndsAt) {
      this.hits = new Map();
      this.windowEndsAt = now + WINDOW_MS;
    }
    const key = `${route}\u0000${appId}\u0000${deviceId}`;
    const hits = (this.hits.get(key) ?? 0) + 1;
    if (hits === 1 && this.hits.size >= MAX_TRACKED) return;
    this.hits.set(key, hits);
    if (hits > this.perMinute)
      throw deviceRateLimited(Math.max(1, Math.ceil((this.windowEndsAt - now) / 1000)));
  }
}
