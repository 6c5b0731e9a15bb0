import { createHash, randomUUID } from 'node:crypto';

/**
 * A simulated `@capgo/capacitor-updater` (8.51.23) for tests: no phone here, so this is the device.
 * It builds bodies as `createInfoObject` does (reference sheet §1.1), queues stats and sends them as
 * batches, reads answers with the plugin's rules (§1.5) and downloads and verifies bundles.
 */

export interface PluginOptions {
  /** Base URL of the server; `updateUrl`, `statsUrl`, `channelUrl` are `/updates`, `/stats`, `/channel_self` under it. */
  baseUrl: string;
  appId: string;
  platform?: 'ios' | 'android' | 'electron';
  /** Upper-case is allowed: the plugin lower-cases it. */
  deviceId?: string;
  versionBuild?: string;
  versionCode?: string;
  versionOs?: string;
  pluginVersion?: string;
  isEmulator?: boolean;
  isProd?: boolean;
  installSource?: string;
  customId?: string;
  /** config `defaultChannel`. */
  defaultChannel?: string;
  /** Present only when a public key is configured (first 20 characters of its base64 body). */
  keyId?: string;
}

export interface InfoObject {
  platform: string;
  device_id: string;
  app_id: string;
  custom_id: string;
  version_build: string;
  version_code: string;
  version_os: string;
  version_name: string;
  plugin_version: string;
  is_emulator: boolean;
  is_prod: boolean;
  install_source: string;
  defaultChannel: string;
  key_id?: string;
}

export interface StatsEventBody extends InfoObject {
  action: string;
  old_version_name: string;
  timestamp: number;
  metadata?: Record<string, string>;
}

export type CheckOutcome =
  /** A bundle was downloaded, verified and is now the current one. */
  | { type: 'installed'; version: string; previous: string }
  /** The server said to go back to the shipped code, and the plugin did. */
  | { type: 'reverted'; previous: string }
  /** An answer carrying `error`/`kind`: nothing downloaded. */
  | {
      type: 'no_update';
      kind: 'up_to_date' | 'blocked' | 'failed';
      error: string;
      message: string;
      body: Record<string, unknown>;
    }
  /** A download, checksum or response failure. */
  | { type: 'failed'; reason: string; status?: number; body?: unknown }
  /** A 429 told the plugin to wait: no request was sent. */
  | { type: 'blocked_locally'; until: number };

const BUILTIN = 'builtin';
const STATS_QUEUE_MAX = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

export class SimulatedPlugin {
  readonly deviceId: string;
  /** The web bundle running now: `builtin` until an update is installed. */
  current = BUILTIN;
  /** What `setChannel` saved (plugins ≥ 7.34 keep it on the device). */
  localChannel: string | undefined;
  /** Stats not yet sent. */
  readonly queue: StatsEventBody[] = [];
  /** Every /updates answer, last first is `answers.at(-1)`. */
  readonly answers: { status: number; body: unknown }[] = [];
  /** Until when (ms epoch) a 429 told the plugin to stop calling. */
  blockedUntil = 0;

  constructor(private readonly options: PluginOptions) {
    this.deviceId = (options.deviceId ?? randomUUID()).toLowerCase();
  }

  /** `createInfoObject()`: the body of every device request. */
  infoObject(): InfoObject {
    const o = this.options;
    const info: InfoObject = {
      platform: o.platform ?? 'android',
      device_id: this.deviceId,
      app_id: o.appId,
      custom_id: o.customId ?? '',
      version_build: o.versionBuild ?? '1.0.0',
      version_code: o.versionCode ?? '1',
      version_os: o.versionOs ?? '14',
      version_name: this.current,
      plugin_version: o.pluginVersion ?? '8.51.23',
      is_emulator: o.isEmulator ?? false,
      is_prod: o.isProd ?? true,
      install_source: o.installSource ?? 'com.android.vending',
      defaultChannel: this.localChannel ?? o.defaultChannel ?? '',
    };
    if (o.keyId !== undefined) info.key_id = o.keyId;
    return info;
  }

  /** Queues one stat as `sendStats(action, versionName, oldVersionName)` does. */
  queueStat(action: string, versionName = this.current, oldVersionName = '', metadata?: Record<string, string>): void {
    if (this.queue.length >= STATS_QUEUE_MAX) this.queue.shift();
    this.queue.push({
      ...this.infoObject(),
      version_name: versionName,
      old_version_name: oldVersionName,
      action,
      timestamp: Date.now(),
      ...(metadata ? { metadata } : {}),
    });
  }

  /** The queue as one batch; requeued after 429, 408 or 5xx, dropped after any other answer. */
  async flushStats(): Promise<{ status: number; body: unknown } | undefined> {
    if (this.queue.length === 0) return undefined;
    const batch = this.queue.splice(0, this.queue.length);
    const answer = await this.post('/stats', batch);
    if (answer.status === 429 || answer.status === 408 || answer.status >= 500) this.queue.unshift(...batch);
    return answer;
  }

  /** `getLatest()` and the background check: ask, then download and install as the plugin would. */
  async checkForUpdate(channel?: string): Promise<CheckOutcome> {
    if (Date.now() < this.blockedUntil) return { type: 'blocked_locally', until: this.blockedUntil };
    const body = { ...this.infoObject(), ...(channel === undefined ? {} : { defaultChannel: channel }) };
    const answer = await this.post('/updates', body);
    this.answers.push(answer);
    if (answer.status === 429) {
      this.blockFrom(answer);
      return { type: 'failed', reason: 'rate_limited', status: 429, body: answer.body };
    }
    const data = answer.body as Record<string, unknown> | undefined;
    if (!data || typeof data !== 'object') return { type: 'failed', reason: 'response_error', status: answer.status };
    if ('error' in data || 'kind' in data) {
      const kind = normalizedKind(data.kind);
      // A failed check is reported; up_to_date and blocked are not (8.45.11 and later).
      if (kind === 'failed') this.queueStat('download_fail');
      return {
        type: 'no_update',
        kind,
        error: String(data.error ?? ''),
        message: String(data.message ?? ''),
        body: data,
      };
    }
    if (answer.status < 200 || answer.status >= 300) {
      return { type: 'failed', reason: 'response_error', status: answer.status, body: data };
    }
    if (data.version === BUILTIN) {
      const previous = this.current;
      this.current = BUILTIN;
      this.queueStat('reset', BUILTIN, previous);
      return { type: 'reverted', previous };
    }
    return this.install(data);
  }

  private async install(data: Record<string, unknown>): Promise<CheckOutcome> {
    const version = String(data.version ?? '');
    const url = typeof data.url === 'string' ? data.url : '';
    const checksum = typeof data.checksum === 'string' ? data.checksum : '';
    if (!isValidUrl(url)) {
      this.queueStat('download_fail', version);
      return { type: 'failed', reason: 'Error no url or wrong format' };
    }
    // 8.51.23 refuses a zip without a checksum.
    if (checksum === '') {
      this.queueStat('checksum_required', version);
      return { type: 'failed', reason: 'Checksum required' };
    }
    this.queueStat('download_zip_start', version);
    const response = await fetch(url);
    if (!response.ok) {
      this.queueStat('download_fail', version);
      return { type: 'failed', reason: `download answered ${response.status}`, status: response.status };
    }
    const zip = Buffer.from(await response.arrayBuffer());
    this.queueStat('download_complete', version);
    // The plugin computes SHA-256 only and compares case-sensitively.
    const actual = createHash('sha256').update(zip).digest('hex');
    if (actual !== checksum) {
      this.queueStat('checksum_fail', version);
      this.queueStat('download_fail', version);
      return { type: 'failed', reason: 'checksum_fail', body: { expected: checksum, actual } };
    }
    const previous = this.current;
    this.current = version;
    this.queueStat('set', version, previous === BUILTIN ? '' : previous);
    return { type: 'installed', version, previous };
  }

  /** `setChannel({channel})`: asks the server, then keeps the channel locally on success. */
  async setChannel(channel: string): Promise<{ status: number; body: unknown }> {
    const answer = await this.post('/channel_self', { ...this.infoObject(), channel });
    const data = answer.body as Record<string, unknown> | undefined;
    if (answer.status === 200 && data && !('error' in data)) {
      this.localChannel = data.unset === true ? undefined : channel;
    }
    return answer;
  }

  /** `getChannel()`: 8.x Android does not add its local channel to the body. */
  async getChannel(): Promise<{ status: number; body: unknown }> {
    const answer = await this.send('PUT', '/channel_self', this.infoObject());
    const data = answer.body as Record<string, unknown> | undefined;
    if (answer.status === 200 && data && typeof data.channel === 'string' && data.channel !== BUILTIN) {
      this.localChannel = data.channel;
    }
    return answer;
  }

  /** `listChannels()`: every info field as a query parameter. */
  async listChannels(): Promise<{ status: number; body: unknown }> {
    const query = new URLSearchParams(
      Object.entries(this.infoObject()).map(([k, v]): [string, string] => [k, String(v)]),
    );
    return this.send('GET', `/channel_self?${query}`);
  }

  /** `unsetChannel()`: 8.x clears its local channel and sends nothing. */
  unsetChannel(): void {
    this.localChannel = undefined;
  }

  private blockFrom(answer: { status: number; body: unknown; headers?: Headers }): void {
    const data = (answer.body ?? {}) as { error?: string; moreInfo?: { retryAfterSeconds?: number } };
    const header = Number(answer.headers?.get('retry-after'));
    const seconds = Number.isFinite(header) && header > 0 ? header : data.moreInfo?.retryAfterSeconds;
    if (seconds) this.blockedUntil = Date.now() + Math.min(seconds * 1000, DAY_MS);
    if (data.error === 'too_many_requests') this.queueStat('rate_limit_reached');
  }

  private post(path: string, body: unknown) {
    return this.send('POST', path, body);
  }

  private async send(method: string, path: string, body?: unknown) {
    const response = await fetch(this.options.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }
}

/** `normalizedUpdateResponseKind`: a missing or unknown kind is `failed`. */
function normalizedKind(kind: unknown): 'up_to_date' | 'blocked' | 'failed' {
  return kind === 'up_to_date' || kind === 'blocked' ? kind : 'failed';
}

function isValidUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
