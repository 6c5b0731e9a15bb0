import { contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import { invalidSignature, rangeNotSatisfiable, routeNotFound } from '../common/errors.js';
import type { Runtime } from '../common/request-context.js';
import { LocalStorage } from './local.js';
import type { ByteRange } from './storage.js';

const s = initServer();

/** The one range of `bytes=a-b`, `bytes=a-` or `bytes=-n`; undefined to serve the whole file (absent, several, or not bytes). */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [first, last] = [match[1] as string, match[2] as string];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

/**
 * Serves locally stored zips to devices through the URLs LocalStorage signs. Reads no database: the
 * signature proves the server handed out the link; the file name is a random uuid.
 */
export function filesRoutes(runtime: Runtime) {
  return s.router(contract.files, {
    getFile: async ({ params, query, req, res }) => {
      const storage = runtime.storage;
      const key = `${params.app}/${params.file}`;
      if (!(storage instanceof LocalStorage)) throw routeNotFound();
      if (!storage.isSigned(key, { expires: query.expires, signature: query.signature })) throw invalidSignature();
      const size = await storage.size(key);
      if (size === null) throw routeNotFound();

      // The key is new for every upload, so the file behind it never changes.
      const etag = `"${params.file.slice(0, -4)}-${size}"`;
      res.setHeader('etag', etag);
      res.setHeader('accept-ranges', 'bytes');
      res.setHeader('cache-control', 'private, max-age=86400, immutable');
      if (req.headers['if-none-match'] === etag) return { status: 304, body: undefined };

      const range = parseRange(req.headers.range, size);
      if (range === 'unsatisfiable') {
        res.setHeader('content-range', `bytes */${size}`);
        throw rangeNotSatisfiable();
      }
      res.setHeader('content-type', 'application/zip');
      res.setHeader('content-length', String(range ? range.end - range.start + 1 : size));
      if (range) res.setHeader('content-range', `bytes ${range.start}-${range.end}/${size}`);
      const body = await storage.read(key, range);
      // A read failing half way cannot become an error answer any more: end the connection.
      body.once('error', () => res.destroy());
      return { status: range ? 206 : 200, body };
    },
  });
}
