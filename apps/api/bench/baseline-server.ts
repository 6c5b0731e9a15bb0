/**
 * The baseline: a bare `node:http` + `pg` server that does only the SQL work a request needs (the
 * key-hash lookup with the owner's roles, then the app select, list, insert or update) and answers the
 * same JSON. No framework, no validation library, no ORM, no rate limit and no `last_used_at`: the
 * floor the service is measured against, so whatever the service adds on top is counted against it.
 * Only the happy paths of the benchmark are implemented.
 *
 * Env: DATABASE_URL, PORT, DB_POOL_MAX, DB_PREPARED_STATEMENTS (as the service: the two lookups of
 * every GET /app/:app_id are named prepared statements unless it is false).
 */
import { createHash, randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import pg from 'pg';
import { handleUpdates } from './baseline-updates.js';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 10),
});

const prepared = process.env.DB_PREPARED_STATEMENTS !== 'false';
const statement = (name: string, text: string) => (prepared ? { name, text } : { text });

const RANK: Record<string, number> = { read: 0, upload: 1, write: 2, admin: 3, super_admin: 4 };
const CAP: Record<string, number> = { read: 0, upload: 1, write: 2, all: Number.POSITIVE_INFINITY };
const APP_COLUMNS = `a.id, a.app_id, a.app_id_key, a.name, a.icon_url, a.owner_org, a.user_id, a.default_upload_channel,
  a.retention, a.last_version, a.transfer_history, a.created_at, a.updated_at`;

interface Caller {
  userId: string;
  limitedToApps: string[];
  /** Orgs the key may read. */
  orgIds: string[];
  rankIn(orgId: string): number;
}

interface AppRow {
  id: string;
  app_id: string;
  app_id_key: string;
  name: string;
  icon_url: string;
  owner_org: string;
  user_id: string | null;
  default_upload_channel: string;
  retention: number;
  last_version: string | null;
  transfer_history: unknown;
  created_at: Date;
  updated_at: Date;
}

const toBody = (row: AppRow) => ({
  app_id: row.app_id,
  id: row.id,
  name: row.name,
  icon_url: row.icon_url,
  owner_org: row.owner_org,
  user_id: row.user_id,
  default_upload_channel: row.default_upload_channel,
  retention: row.retention,
  last_version: row.last_version,
  transfer_history: row.transfer_history,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function authenticate(req: IncomingMessage): Promise<Caller | undefined> {
  const secret = (req.headers.authorization ?? req.headers.capgkey ?? req.headers['x-api-key']) as string | undefined;
  if (!secret) return undefined;
  const hash = createHash('sha256')
    .update(secret.replace(/^bearer\s+/i, '').trim())
    .digest('hex');
  const { rows } = await pool.query({
    ...statement(
      'key_grant_by_hash',
      `select k.id, k.user_id, k.mode, k.limited_to_orgs, k.limited_to_apps, k.expires_at,
         coalesce((select json_agg(json_build_array(m.org_id, m.role)) from org_members m where m.user_id = k.user_id), '[]') as roles
       from api_keys k where k.key_hash = $1`,
    ),
    values: [hash],
  });
  const key = rows[0];
  const now = new Date();
  if (!key || (key.expires_at && key.expires_at <= now)) return undefined;
  const roles = new Map<string, string>(key.roles);
  const rankIn = (orgId: string) => {
    if (key.limited_to_orgs.length > 0 && !key.limited_to_orgs.includes(orgId)) return -1;
    const role = roles.get(orgId);
    return role === undefined ? -1 : Math.min(RANK[role] ?? -1, CAP[key.mode] ?? -1);
  };
  return {
    userId: key.user_id,
    limitedToApps: key.limited_to_apps,
    orgIds: [...roles.keys()].filter((orgId) => rankIn(orgId) >= 0),
    rankIn,
  };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function visibleApp(caller: Caller, appId: string): Promise<AppRow | undefined> {
  const { rows } = await pool.query<AppRow>({
    ...statement('app_by_app_id_key', `select ${APP_COLUMNS} from apps a where a.app_id_key = $1`),
    values: [appId.toLowerCase()],
  });
  const app = rows[0];
  const inScope = app && (caller.limitedToApps.length === 0 || caller.limitedToApps.includes(app.app_id_key));
  return app && inScope && caller.rankIn(app.owner_org) >= 0 ? app : undefined;
}

async function listApps(caller: Caller, url: URL, res: ServerResponse): Promise<void> {
  const page = Number(url.searchParams.get('page') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 50);
  const orgList = caller.orgIds.map((_, i) => `$${i + 3}`).join(', ');
  // The service's statement: count, then the page found on the index alone, from the nearer end.
  const { rows } = await pool.query(
    `select counted.total, ${APP_COLUMNS}
     from (select count(*) as total from apps where owner_org in (${orgList})) counted
     left join lateral (
       select app_id from (
         (select app_id from apps where owner_org in (${orgList}) and $1::bigint * 2 <= counted.total
          order by created_at desc, app_id asc offset $1 limit $2)
         union all
         (select app_id from apps where owner_org in (${orgList}) and $1::bigint * 2 > counted.total
          order by created_at asc, app_id desc
          offset greatest(counted.total - $1 - $2, 0) limit greatest(least($2, counted.total - $1), 0))
       ) from_either_end limit $2
     ) page on true
     left join apps a on a.app_id_key = lower(page.app_id)
     order by a.created_at desc, a.app_id asc`,
    [page * limit, limit, ...caller.orgIds],
  );
  const apps = rows.filter((row) => row.id !== null) as AppRow[];
  send(res, 200, { data: apps.map(toBody), page, limit, total: Number(rows[0]?.total ?? 0) });
}

async function createApp(caller: Caller, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const appId = String(body.app_id);
  if (caller.rankIn(String(body.owner_org)) < 2) {
    return send(res, 403, {
      status: 'KO',
      error: 'You do not have access to this organization',
      code: 'org_access_denied',
    });
  }
  const { rows } = await pool.query<AppRow>(
    `insert into apps as a (id, app_id, app_id_key, name, icon_url, owner_org, user_id, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, now(), now()) returning ${APP_COLUMNS}`,
    [
      randomUUID(),
      appId,
      appId.toLowerCase(),
      String(body.name).trim(),
      body.icon ?? '',
      body.owner_org,
      caller.userId,
    ],
  );
  res.setHeader('location', `/app/${encodeURIComponent(appId)}`);
  send(res, 201, toBody(rows[0] as AppRow));
}

async function updateApp(caller: Caller, app: AppRow, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (caller.rankIn(app.owner_org) < 2) {
    return send(res, 403, {
      status: 'KO',
      error: 'Insufficient permissions to manage app',
      code: 'insufficient_permissions',
    });
  }
  const { rows } = await pool.query<AppRow>(
    `update apps a set name = coalesce($2, name), retention = coalesce($3, retention),
       updated_at = greatest(now(), updated_at + interval '1 millisecond')
     where id = $1 returning ${APP_COLUMNS}`,
    [app.id, body.name ?? null, body.retention ?? null],
  );
  send(res, 200, toBody(rows[0] as AppRow));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/readyz') return send(res, 200, { status: 'ok' });
  if (url.pathname === '/updates' && req.method === 'POST') return handleUpdates(pool, prepared, req, res);
  const caller = await authenticate(req);
  if (!caller) return send(res, 401, { status: 'KO', error: 'Invalid API key', code: 'invalid_apikey' });
  if (url.pathname === '/app' || url.pathname === '/app/') {
    if (req.method === 'GET') return listApps(caller, url, res);
    if (req.method === 'POST') return createApp(caller, req, res);
  }
  const match = /^\/app\/([^/]+)\/?$/.exec(url.pathname);
  if (match?.[1]) {
    const app = await visibleApp(caller, decodeURIComponent(match[1]));
    if (!app) return send(res, 404, { status: 'KO', error: 'App not found', code: 'app_not_found' });
    if (req.method === 'GET') return send(res, 200, toBody(app));
    if (req.method === 'PUT') return updateApp(caller, app, req, res);
  }
  send(res, 404, { status: 'KO', error: 'Not found', code: 'not_found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    process.stderr.write(`baseline: ${(error as Error).stack}\n`);
    if (!res.headersSent) send(res, 500, { status: 'KO', error: 'Internal error', code: 'internal_error' });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
