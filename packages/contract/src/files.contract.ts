import { extendApi } from '@anatine/zod-openapi';
import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { integerQuery } from './common.js';
import { ErrorBody } from './errors.js';

const c = initContract();

const Uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const FileParams = z.object({
  app: z.string().regex(Uuid, 'Must be a lower-case UUID').describe("The app's internal id."),
  file: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.zip$/, 'Must be <uuid>.zip')
    .describe('The stored zip.'),
});

export const FileQuery = z.object({
  expires: integerQuery(0, 9_999_999_999).describe('When the link stops working, in seconds since 1970 (UTC).'),
  signature: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'Must be 64 lower-case hex characters')
    .describe('HMAC-SHA256 of the path and `expires` by the server.'),
});

const ZipBody = extendApi(z.unknown().describe('The zip (or the requested range of it).'), {
  type: 'string',
  format: 'binary',
  nullable: false,
});

export const filesContract = c.router(
  {
    getFile: {
      method: 'GET',
      path: '/files/:app/:file',
      pathParams: FileParams,
      query: FileQuery,
      summary: 'Download a stored bundle',
      description:
        'The URL `/updates` hands to devices when bundles are stored locally (with S3 storage, devices get presigned S3 URLs and this route answers 404). Valid 24 hours from issue; the signing secret is kept in the database, so every replica accepts every other one\'s links. Answers with `content-length`, `etag` (the file never changes) and `accept-ranges: bytes`; a `Range: bytes=<first>-[<last>]` or `bytes=-<suffix length>` request gets 206 with `content-range` (several ranges are answered whole, 200); `If-None-Match` with the `etag` gets 304. `HEAD` is answered too.',
      responses: {
        200: c.otherResponse({ contentType: 'application/zip', body: ZipBody }),
        206: c.otherResponse({ contentType: 'application/zip', body: ZipBody }),
        304: c.noBody(),
        400: ErrorBody.describe('Malformed path or query (`invalid_parameters`).'),
        403: ErrorBody.describe('Wrong or expired signature (`invalid_signature`).'),
        404: ErrorBody.describe('No such file (`not_found`): removed, or storage is not local.'),
        416: ErrorBody.describe('The range starts past the end of the file (`range_not_satisfiable`); `content-range: bytes */<size>`.'),
        500: ErrorBody.describe('Unexpected error (`internal_error`).'),
      },
    },
  },
  { strictStatusCodes: true },
);
