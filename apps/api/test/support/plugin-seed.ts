import { createHash } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Bundle } from '../../src/modules/bundle/bundle.entity.js';
import { Channel, ChannelDevice } from '../../src/modules/channel/channel.entity.js';
import { makeZip } from './zip.js';

/**
 * Seeding bundles, channels and overrides straight through the entities, as Capgo's own tests seed
 * through SQL (reference sheet §6.1): the device-protocol tests choose every flag and version.
 */

export interface SeedBundle {
  name: string;
  checksum?: string;
  externalUrl?: string;
  storageKey?: string;
  sessionKey?: string | null;
  keyId?: string | null;
  minUpdateVersion?: string | null;
}

export async function seedBundle(em: EntityManager, app: string, bundle: SeedBundle): Promise<number> {
  const external = bundle.externalUrl !== undefined;
  const row = em.create(Bundle, {
    app,
    name: bundle.name,
    checksum: bundle.checksum ?? createHash('sha256').update(bundle.name).digest('hex'),
    storage: external ? 'external' : 'stored',
    storageKey: external ? null : (bundle.storageKey ?? `apps/${app}/${bundle.name}.zip`),
    externalUrl: bundle.externalUrl ?? null,
    size: null,
    sessionKey: bundle.sessionKey ?? null,
    keyId: bundle.keyId ?? null,
    minUpdateVersion: bundle.minUpdateVersion ?? null,
    link: null,
    comment: null,
    userId: null,
    deletedAt: null,
  });
  await em.flush();
  return row.id;
}

export type SeedChannel = Partial<Omit<Channel, 'id' | 'app' | 'createdAt' | 'updatedAt'>> & { name: string };

/** A channel with Capgo's defaults unless given. */
export async function seedChannel(em: EntityManager, app: string, channel: SeedChannel): Promise<number> {
  const row = em.create(Channel, { app, version: null, ...channel } as never) as Channel;
  await em.flush();
  return row.id;
}

export async function updateChannel(em: EntityManager, id: number, change: Partial<SeedChannel>): Promise<void> {
  await em.nativeUpdate(Channel, { id }, change as never);
}

export async function seedOverride(em: EntityManager, app: string, deviceId: string, channel: number): Promise<void> {
  em.create(ChannelDevice, { app, deviceId, channel } as never);
  await em.flush();
}

/**
 * A stand-in for the CDN of externally hosted bundles: serves the zips it is given over HTTP on
 * 127.0.0.1, so the simulated plugin downloads and verifies real bytes.
 */
export class ZipHost {
  private readonly files = new Map<string, Buffer>();
  private server?: Server;
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const file = this.files.get(req.url ?? '');
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': file.length }).end(file);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Hosts a bundle zip of `version`; returns its URL and SHA-256. */
  add(version: string, files: Record<string, string> = { 'index.html': `<h1>${version}</h1>` }) {
    const zip = makeZip(Object.entries(files).map(([name, data]) => ({ name, data })));
    this.files.set(`/${version}.zip`, zip);
    return { url: `${this.baseUrl}/${version}.zip`, checksum: createHash('sha256').update(zip).digest('hex'), zip };
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
