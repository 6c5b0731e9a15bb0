import { createHash, randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { Readable, Transform, pipeline } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BundleStorage } from '../src/storage/storage.js';
import { call } from './support/client.js';
import { ISO_DATE, errorEnvelope, useServer } from './support/harness.js';
import { createChannelVia, storedState, tenantWithApp, uploadVia } from './support/live-updates.js';
import { makeZip, sampleBundle } from './support/zip.js';

const MAX = 256 * 1024;
const h = useServer({ BUNDLE_MAX_BYTES: MAX });
const NOTHING = { objects: [], rows: [] };

const invalid = (rid: string, reason: string) => errorEnvelope('invalid_bundle', `Invalid bundle: ${reason}`, rid);

describe('POST /bundle/upload', () => {
  it('stores the zip and answers 201 with its size and SHA-256', async () => {
    const { t, app } = await tenantWithApp(h);
    const zip = sampleBundle('hello');
    const res = await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.0' }, body: zip });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      app_id: app.app_id,
      name: '1.0.0',
      checksum: createHash('sha256').update(zip).digest('hex'),
      storage: 'stored',
      external_url: null,
      size: zip.length,
      session_key: null,
      key_id: null,
      min_update_version: null,
      link: null,
      comment: null,
      user_id: t.userId,
      created_at: expect.stringMatching(ISO_DATE),
      updated_at: expect.stringMatching(ISO_DATE),
    });
    const state = await storedState(h, app.id);
    expect(state.rows).toEqual([{ name: '1.0.0', deleted: false }]);
    expect(state.objects).toHaveLength(1);
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).body.last_version).toBe('1.0.0');
  });

  it('accepts application/octet-stream, a matching checksum and a channel to link', async () => {
    const { t, app } = await tenantWithApp(h);
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production' });
    const zip = sampleBundle('x');
    const checksum = createHash('sha256').update(zip).digest('hex');
    const res = await uploadVia(h, {
      key: t.key,
      query: { app_id: app.app_id, version: '2.0.0-beta.1', checksum: checksum.toUpperCase(), channel: 'production' },
      body: zip,
      contentType: 'application/octet-stream',
    });
    expect(res.status).toBe(201);
    expect(res.body.checksum).toBe(checksum);
    const channel = await call(h, 'get', `/channel?app_id=${app.app_id}&channel=production`, { key: t.key });
    expect(channel.body.version).toBe('2.0.0-beta.1');
  });

  it('answers 415 for another content type, before reading the body', async () => {
    const { t, app } = await tenantWithApp(h);
    const res = await uploadVia(h, {
      key: t.key,
      query: { app_id: app.app_id, version: '1.0.0' },
      contentType: 'application/json',
      body: Buffer.from('{}'),
    });
    expect(res.status).toBe(415);
    expect(res.body).toEqual(
      errorEnvelope(
        'unsupported_media_type',
        'Unsupported content type: send the zip as application/zip or application/octet-stream',
        res.rid,
      ),
    );
    expect(await storedState(h, app.id)).toEqual(NOTHING);
  });

  it('answers 409 for a taken version and 404 for an unknown channel without storing anything', async () => {
    const { t, app } = await tenantWithApp(h);
    expect((await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.0' } })).status).toBe(201);
    const before = await storedState(h, app.id);
    const taken = await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.0' } });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual(errorEnvelope('version_already_exists', 'Version already exists', taken.rid));
    const noChannel = await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.1', channel: 'x' } });
    expect(noChannel.status).toBe(404);
    expect(noChannel.body).toEqual(errorEnvelope('channel_not_found', 'Channel not found', noChannel.rid));
    expect(await storedState(h, app.id)).toEqual(before);
  });

  it('refusing before reading, reads a small body to its end (the client gets the answer, not a reset) and closes on a large one', async () => {
    const { t, app } = await tenantWithApp(h);
    expect((await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.0' } })).status).toBe(201);
    const agent = new Agent({ keepAlive: true });
    const refused = (declared: number, sent: Buffer) =>
      new Promise<{ status: number | undefined; connection: string | undefined; body: string }>((resolve, reject) => {
        const req = httpRequest(`${h.baseUrl}/bundle/upload?app_id=${app.app_id}&version=1.0.0`, {
          method: 'POST',
          agent,
          headers: { authorization: t.key, 'content-type': 'application/zip', 'content-length': String(declared) },
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode, connection: res.headers.connection, body: Buffer.concat(chunks).toString() });
            req.destroy();
          });
        });
        req.on('error', reject);
        req.write(sent);
      });
    try {
      // A body larger than what arrives with the headers, sent whole before the answer comes, as the
      // CLI sends a bundle: 20 times, the answer arrives.
      const small = randomBytes(200 * 1024);
      for (let i = 0; i < 20; i++) {
        const answer = await refused(small.length, small);
        expect([answer.status, answer.connection, JSON.parse(answer.body).code]).toEqual([
          409,
          'keep-alive',
          'version_already_exists',
        ]);
      }
      const large = await refused(2 * 1024 * 1024, randomBytes(64 * 1024));
      expect([large.status, large.connection]).toEqual([409, 'close']);
    } finally {
      agent.destroy();
    }
  });
});

describe('POST /bundle/upload is all or nothing', () => {
  it.each([
    ['random bytes', randomBytes(5000), 'the body is not a zip archive'],
    ['an empty body', Buffer.alloc(0), 'the body is not a zip archive'],
    [
      'a zip header and garbage',
      Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), randomBytes(3000)]),
      undefined,
    ],
    ['an empty zip', makeZip([]), 'the zip has no entries'],
    ['a cut zip', sampleBundle().subarray(0, 60), undefined],
  ] as [string, Buffer, string | undefined][])(
    'rejects %s with 400 invalid_bundle and keeps nothing',
    async (_name, body, reason) => {
      const { t, app } = await tenantWithApp(h);
      const res = await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.0' }, body });
      expect(res.status).toBe(400);
      if (reason) expect(res.body).toEqual(invalid(res.rid, reason));
      else expect(res.body).toMatchObject({ status: 'KO', code: 'invalid_bundle', request_id: res.rid });
      expect(await storedState(h, app.id)).toEqual(NOTHING);
    },
  );

  it.each([
    ['../escape.js', 'invalid relative path: ../escape.js'],
    ['www/../../escape.js', 'invalid relative path: www/../../escape.js'],
    ['/etc/passwd', 'absolute path: /etc/passwd'],
    ['C:/windows/evil.dll', 'absolute path: C:/windows/evil.dll'],
    ['js\\app.js', 'invalid characters in fileName: js\\app.js'],
  ])('rejects an entry named %j with 400 invalid_bundle and keeps nothing', async (name, reason) => {
    const { t, app } = await tenantWithApp(h);
    const body = makeZip([
      { name: 'index.html', data: 'ok' },
      { name, data: 'evil' },
    ]);
    const res = await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.0' }, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(res.rid, reason));
    expect(await storedState(h, app.id)).toEqual(NOTHING);
  });

  it('rejects a checksum mismatch with 400 and keeps nothing', async () => {
    const { t, app } = await tenantWithApp(h);
    const res = await uploadVia(h, {
      key: t.key,
      query: { app_id: app.app_id, version: '1.0.0', checksum: '0'.repeat(64) },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('checksum_mismatch', 'Checksum does not match the uploaded bundle', res.rid),
    );
    expect(await storedState(h, app.id)).toEqual(NOTHING);
  });

  it('answers 413 for a declared length over BUNDLE_MAX_BYTES', async () => {
    const { t, app } = await tenantWithApp(h);
    const body = makeZip([{ name: 'big.bin', data: randomBytes(MAX) }]);
    const res = await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.0' }, body });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(
      errorEnvelope('payload_too_large', `Bundle too large: the limit is ${MAX} bytes`, res.rid),
    );
    expect(await storedState(h, app.id)).toEqual(NOTHING);
  });

  it('answers 413 for a chunked body that grows past BUNDLE_MAX_BYTES, and keeps nothing', async () => {
    const { t, app } = await tenantWithApp(h);
    const zip = makeZip([{ name: 'big.bin', data: randomBytes(MAX + 1) }]);
    const { status, body } = await rawUpload(t.key, app.app_id, '1.0.0', Readable.from(chunksOf(zip, 16 * 1024)));
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({
      code: 'payload_too_large',
      error: `Bundle too large: the limit is ${MAX} bytes`,
    });
    expect(await storedState(h, app.id)).toEqual(NOTHING);
  });

  it('keeps nothing when the client goes away half way', async () => {
    const { t, app } = await tenantWithApp(h);
    const zip = makeZip([{ name: 'big.bin', data: randomBytes(200 * 1024) }]);
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${h.baseUrl}/bundle/upload?app_id=${app.app_id}&version=1.0.0`, {
        method: 'POST',
        headers: { authorization: t.key, 'content-type': 'application/zip', 'content-length': String(zip.length) },
      });
      req.on('error', () => resolve());
      req.write(zip.subarray(0, 64 * 1024), () => setTimeout(() => req.destroy(), 300));
      req.on('close', () => resolve());
    });
    await expect.poll(() => storedState(h, app.id), { timeout: 10_000, interval: 200 }).toEqual(NOTHING);
  });

  it('keeps nothing when the storage fails half way', async () => {
    const { t, app } = await tenantWithApp(h);
    const real = h.runtime.storage as BundleStorage;
    // The storage itself, fed a body that breaks after 4 KiB: as a disk or network failing mid-write.
    const failing: BundleStorage = Object.assign(Object.create(real) as BundleStorage, {
      put: (key: string, body: Readable) => {
        const broken = breakAfter(4096);
        pipeline(body, broken, () => undefined);
        return real.put(key, broken);
      },
    });
    h.runtime.storage = failing;
    try {
      const body = makeZip([{ name: 'big.bin', data: randomBytes(64 * 1024) }]);
      const res = await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.0' }, body });
      expect(res.status).toBe(500);
      expect(res.body).toEqual(errorEnvelope('internal_error', 'Internal error', res.rid));
    } finally {
      h.runtime.storage = real;
    }
    expect(await storedState(h, app.id)).toEqual(NOTHING);
  });

  it('keeps nothing when the database refuses the row', async () => {
    const { t, app } = await tenantWithApp(h);
    const conn = h.em().getConnection();
    const trigger = `refuse_${app.id.replaceAll('-', '')}`;
    // A real failure of the database, for this app only (other test files share the database).
    await conn.execute(`create function ${trigger}() returns trigger language plpgsql as $$
      begin raise exception 'refused for the test'; end $$`);
    await conn.execute(
      `create trigger ${trigger} before insert on bundles for each row
       when (new.app = '${app.id}'::uuid) execute function ${trigger}()`,
    );
    try {
      const res = await uploadVia(h, { key: t.key, query: { app_id: app.app_id, version: '1.0.0' } });
      expect(res.status).toBe(500);
      expect(res.body).toEqual(errorEnvelope('internal_error', 'Internal error', res.rid));
    } finally {
      await conn.execute(`drop trigger ${trigger} on bundles`);
      await conn.execute(`drop function ${trigger}()`);
    }
    expect(await storedState(h, app.id)).toEqual(NOTHING);
  });
});

function* chunksOf(buffer: Buffer, size: number) {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}

function breakAfter(bytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > bytes) done(new Error('storage failed'));
      else done(null, chunk);
    },
  });
}

/** An upload without content-length (chunked), read back as status and text. */
function rawUpload(key: string, appId: string, version: string, body: Readable) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(`${h.baseUrl}/bundle/upload?app_id=${appId}&version=${version}`, {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/zip', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The server may close the connection once it has answered; the answer is what counts.
    req.on('error', (error) =>
      error.message.includes('EPIPE') || error.message.includes('ECONNRESET') ? undefined : reject(error),
    );
    body.pipe(req);
  });
}
