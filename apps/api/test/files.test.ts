import { describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { errorEnvelope, useServer } from './support/harness.js';
import { tenantWithApp, uploadedBundle } from './support/live-updates.js';
import { makeZip } from './support/zip.js';

// Signed /files URLs are what devices get when bundles are stored locally (the default storage).
const h = useServer();

async function storedZip() {
  const { t, app } = await tenantWithApp(h);
  const zip = makeZip([{ name: 'index.html', data: 'x'.repeat(5000) }]);
  await uploadedBundle(h, t.key, app.app_id, '1.0.0', zip);
  const [key] = await h.storage.list(`${app.id}/`);
  const url = new URL(await h.storage.downloadUrl(key as string));
  return { zip, url, path: `${url.pathname}${url.search}` };
}

describe('GET /files/:app/:file', () => {
  it('serves the zip with content-length, etag and accept-ranges, without a key', async () => {
    const { zip, url, path } = await storedZip();
    expect(url.origin).toBe(h.baseUrl);
    expect(url.searchParams.get('expires')).toMatch(/^\d+$/);
    const expires = Number(url.searchParams.get('expires'));
    expect(expires * 1000 - Date.now()).toBeGreaterThan(24 * 3600 * 1000 - 60_000);
    const res = await h.http().get(path).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (chunk: Buffer) => chunks.push(chunk));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-length']).toBe(String(zip.length));
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers.etag).toMatch(/^"[0-9a-f-]{36}-\d+"$/);
    expect(Buffer.compare(res.body as Buffer, zip)).toBe(0);

    const again = await h.http().get(path).set('if-none-match', res.headers.etag as string);
    expect(again.status).toBe(304);
  });

  it('answers a range with 206 and content-range, and an impossible one with 416', async () => {
    const { zip, path } = await storedZip();
    const part = await fetch(`${h.baseUrl}${path}`, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${zip.length}`);
    expect(part.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(zip.subarray(10, 20));
    const tail = await fetch(`${h.baseUrl}${path}`, { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(zip.subarray(zip.length - 5));
    const resume = await fetch(`${h.baseUrl}${path}`, { headers: { range: `bytes=${zip.length - 3}-` } });
    expect(resume.status).toBe(206);
    expect(Buffer.from(await resume.arrayBuffer())).toEqual(zip.subarray(zip.length - 3));
    const past = await fetch(`${h.baseUrl}${path}`, { headers: { range: `bytes=${zip.length}-`, 'x-request-id': 'r416' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${zip.length}`);
    expect(await past.json()).toEqual(errorEnvelope('range_not_satisfiable', 'Requested range not satisfiable', 'r416'));
  });

  it('refuses a tampered or expired signature with 403, and a removed file with 404', async () => {
    const { url } = await storedZip();
    const tampered = `${url.pathname}?expires=${url.searchParams.get('expires')}&signature=${'0'.repeat(64)}`;
    const bad = await call(h, 'get', tampered);
    expect(bad.status).toBe(403);
    expect(bad.body).toEqual(errorEnvelope('invalid_signature', 'Invalid or expired download link', bad.rid));
    const later = `${url.pathname}?expires=${Number(url.searchParams.get('expires')) + 1}&signature=${url.searchParams.get('signature')}`;
    expect((await call(h, 'get', later)).status).toBe(403);
    const expired = `${url.pathname}?expires=1000&signature=${url.searchParams.get('signature')}`;
    expect((await call(h, 'get', expired)).status).toBe(403);

    const key = url.pathname.slice('/files/'.length);
    await h.storage.remove(key);
    const gone = await call(h, 'get', `${url.pathname}${url.search}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual(errorEnvelope('not_found', 'Not found', gone.rid));
  });
});
