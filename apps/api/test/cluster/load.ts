import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RawClient } from '../fuzz/http.js';
import { uniqueAppId } from '../support/harness.js';

export type Kind = 'create' | 'read' | 'update' | 'list';

export interface Sample {
  phase: string;
  kind: Kind;
  rid: string;
  /** Milliseconds since the load started. */
  start: number;
  end?: number;
  status?: number;
  error?: string;
}

/** What each kind answers when it succeeds. */
const EXPECTED: Record<Kind, number> = { create: 201, read: 200, update: 200, list: 200 };

/** Out of every ten requests: three creates, four reads, one update, two lists. */
const MIX: Kind[] = ['create', 'read', 'list', 'create', 'read', 'update', 'create', 'read', 'list', 'read'];

export const failed = (sample: Sample) => sample.error !== undefined || sample.status !== EXPECTED[sample.kind];

/**
 * A steady stream of mixed reads and writes, one request every `everyMs` (each on its own
 * connection), bounded by `maxRequests`; `phase` labels what is sent from now on.
 */
export class SteadyLoad {
  readonly samples: Sample[] = [];
  /** App ids whose create was answered 201. */
  readonly acknowledged: string[] = [];
  phase = 'steady';
  private running = false;
  private loop?: Promise<void>;
  private readonly inFlight: Promise<void>[] = [];
  private sent = 0;
  private readonly t0 = performance.now();

  constructor(
    private readonly client: RawClient,
    private readonly tenant: { orgId: string; keys: string[] },
    private readonly everyMs: number,
    private readonly maxRequests: number,
  ) {}

  now(): number {
    return performance.now() - this.t0;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops sending and resolves once every request sent has been answered or has failed. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * `count` creates at once, each on a new connection, on top of the steady stream: what finds a
   * replica's accept queue full at the moment it closes its listener.
   */
  burst(count: number): void {
    for (let i = 0; i < count && this.sent < this.maxRequests; i++)
      this.inFlight.push(this.fire(this.sent++, 'create'));
  }

  private async run(): Promise<void> {
    while (this.running && this.sent < this.maxRequests) {
      this.inFlight.push(this.fire(this.sent++));
      await sleep(this.everyMs);
    }
    await Promise.all(this.inFlight);
  }

  private async fire(n: number, only?: Kind): Promise<void> {
    const known = this.acknowledged.at(-1 - (n % 7)) ?? this.acknowledged.at(-1);
    const planned = only ?? (MIX[n % MIX.length] as Kind);
    const kind: Kind = known === undefined ? 'create' : planned;
    const rid = `cluster-${n}-${kind}`;
    const sample: Sample = { phase: this.phase, kind, rid, start: this.now() };
    this.samples.push(sample);
    const headers = {
      authorization: this.tenant.keys[n % this.tenant.keys.length] as string,
      'x-request-id': rid,
      'content-type': 'application/json',
    };
    const appId = kind === 'create' ? uniqueAppId('com.cluster') : (known as string);
    try {
      const answer = await this.client.send(
        kind === 'create'
          ? {
              method: 'POST',
              path: '/app',
              headers,
              body: JSON.stringify({ app_id: appId, name: 'Cluster', owner_org: this.tenant.orgId }),
            }
          : kind === 'update'
            ? { method: 'PUT', path: `/app/${appId}`, headers, body: JSON.stringify({ name: `Updated ${n}` }) }
            : kind === 'read'
              ? { method: 'GET', path: `/app/${appId}`, headers }
              : { method: 'GET', path: `/app/?org_id=${this.tenant.orgId}&limit=5`, headers },
      );
      sample.status = answer.status;
      if (kind === 'create' && answer.status === 201) this.acknowledged.push(appId);
    } catch (error) {
      sample.error = (error as Error).message;
    }
    sample.end = this.now();
  }
}
