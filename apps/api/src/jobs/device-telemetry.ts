import type { EntityManager } from '@mikro-orm/postgresql';
import { isDatabaseUnavailable } from '../common/http-errors.js';
import type { Logger } from '../common/logger.js';
import type { Runtime } from '../common/request-context.js';
import {
  type DeviceEventRecord,
  type DeviceSeen,
  type TelemetryBatch,
  type UpdateChecks,
  DAY_MS,
  utcDay,
  writeTelemetry,
} from '../modules/stats/stats.writer.js';

export type { DeviceEventRecord, DeviceSeen };

/**
 * What device requests leave behind (device rows, events, update checks), kept in memory and
 * handed to the one telemetry writer in batches after the answers: no device request waits for a
 * database write. Flushed every `intervalMs` (1 s: at most that much is lost if the process is
 * killed) and on stop. Each replica flushes its own batches; the writer makes them add up.
 */

/** Beyond this many pending items (a database down for long), more are dropped and logged. */
const MAX_PENDING = 100_000;

export class DeviceTelemetry {
  private devices = new Map<string, DeviceSeen>();
  private events: DeviceEventRecord[] = [];
  /** Summed as they come, per app and UTC day (keyed by the day's number since 1970). */
  private checks = new Map<string, UpdateChecks>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dropped = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
  ) {}

  /**
   * A device request: refreshes its row. With `keepVersion` (a `*_fail` event names the bundle
   * that failed, not the one running) it only refreshes a row already pending in this batch.
   */
  seen(device: DeviceSeen, keepVersion = false): void {
    const key = `${device.app}/${device.deviceId}`;
    const pending = this.devices.get(key);
    if (keepVersion && !pending) return;
    if (!pending && this.devices.size >= MAX_PENDING) {
      this.dropped += 1;
      return;
    }
    this.devices.set(key, keepVersion && pending ? { ...device, versionName: pending.versionName } : device);
  }

  event(event: DeviceEventRecord): void {
    if (this.events.length >= MAX_PENDING) {
      this.dropped += 1;
      return;
    }
    this.events.push(event);
  }

  /** One `/updates` answer; `offered` when it carried a bundle URL. */
  updateCheck(app: string, offered: boolean, at: Date): void {
    const key = `${app}/${Math.floor(at.getTime() / DAY_MS)}`;
    let checks = this.checks.get(key);
    if (!checks) {
      if (this.checks.size >= MAX_PENDING) {
        this.dropped += 1;
        return;
      }
      checks = { app, day: utcDay(at), checks: 0, offered: 0 };
      this.checks.set(key, checks);
    }
    checks.checks += 1;
    if (offered) checks.offered += 1;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Writes everything pending so far (after any flush already running). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.devices.size === 0 && this.events.length === 0 && this.checks.size === 0) return;
    const batch: TelemetryBatch = {
      devices: [...this.devices.values()],
      events: this.events,
      updateChecks: [...this.checks.values()],
    };
    this.devices = new Map();
    this.events = [];
    this.checks = new Map();
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  private async write(batch: TelemetryBatch): Promise<void> {
    if (this.dropped > 0) {
      this.logger.error({ dropped: this.dropped }, 'device telemetry dropped: too much pending');
      this.dropped = 0;
    }
    const orm = this.runtime.orm;
    try {
      if (!orm) throw new Error('database not open yet');
      await writeTelemetry(orm.em.fork() as EntityManager, batch);
    } catch (error) {
      if (orm && !isDatabaseUnavailable(error)) {
        // A batch the database refuses would be refused again: retrying it would block every later one.
        this.logger.error(
          { err: error, devices: batch.devices.length, events: batch.events.length },
          'device telemetry batch refused; dropped',
        );
        return;
      }
      // Kept for the next flush: the database may be back by then (bounded by MAX_PENDING).
      this.logger.warn({ err: error }, 'device telemetry not written; retrying with the next batch');
      this.putBack(batch);
    }
  }

  private putBack(batch: TelemetryBatch): void {
    for (const device of batch.devices) {
      const key = `${device.app}/${device.deviceId}`;
      if (!this.devices.has(key) && this.devices.size < MAX_PENDING) this.devices.set(key, device);
    }
    this.events = [...batch.events, ...this.events].slice(0, MAX_PENDING);
    for (const checks of batch.updateChecks) {
      const key = `${checks.app}/${Date.parse(checks.day) / DAY_MS}`;
      const pending = this.checks.get(key);
      if (pending) {
        pending.checks += checks.checks;
        pending.offered += checks.offered;
      } else this.checks.set(key, checks);
    }
  }
}
