import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Statement, queryRows, toDate } from '../../db/raw.js';
import type { App } from './app.entity.js';

/**
 * An app's columns as the API answers them: what both a managed `App` entity and a raw row give.
 * The hot paths (one app, a page of apps, create, update) use hand-written SQL: hydrating entities
 * and flushing them cost more CPU than the rest of the request (see bench/README.md). Read-only, so
 * that nobody mutates one expecting a flush to save it: change apps with the functions below.
 */
export type AppRecord = Readonly<
  Pick<
    App,
    | 'id'
    | 'appId'
    | 'appIdKey'
    | 'name'
    | 'iconUrl'
    | 'ownerOrg'
    | 'userId'
    | 'defaultUploadChannel'
    | 'retention'
    | 'lastVersion'
    | 'transferHistory'
    | 'createdAt'
    | 'updatedAt'
  >
>;

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
  transfer_history: AppRecord['transferHistory'];
  created_at: string;
  updated_at: string;
}

const APP_COLUMNS = `a.id, a.app_id, a.app_id_key, a.name, a.icon_url, a.owner_org, a.user_id,
  a.default_upload_channel, a.retention, a.last_version, a.transfer_history, a.created_at, a.updated_at`;

function toRecord(em: EntityManager, row: AppRow): AppRecord {
  return {
    id: row.id,
    appId: row.app_id,
    appIdKey: row.app_id_key,
    name: row.name,
    iconUrl: row.icon_url,
    ownerOrg: row.owner_org,
    userId: row.user_id,
    defaultUploadChannel: row.default_upload_channel,
    retention: row.retention,
    lastVersion: row.last_version,
    transferHistory: row.transfer_history,
    createdAt: toDate(em, row.created_at),
    updatedAt: toDate(em, row.updated_at),
  };
}

const APP_BY_APP_ID_KEY: Statement = {
  name: 'app_by_app_id_key',
  text: `select ${APP_COLUMNS} from apps a where a.app_id_key = $1`,
};

export async function findAppByAppId(em: EntityManager, appId: string): Promise<AppRecord | null> {
  const [row] = await queryRows<AppRow>(em, APP_BY_APP_ID_KEY, [appId.toLowerCase()]);
  return row ? toRecord(em, row) : null;
}

export interface AppPageQuery {
  orgIds: string[];
  /** Lower-cased app ids to keep; empty keeps all. */
  onlyAppIds: string[];
  offset: number;
  limit: number;
}

/**
 * One page, newest first, ties broken by app_id in byte order (the column collates "C"), and the
 * exact total, in one statement. Deep pages are what costs: an OFFSET walks every skipped row.
 * - The page is found on the (owner_org, created_at desc, app_id) index alone (an index-only scan,
 *   skipped rows included) and only its own rows are read from the table, joined back on
 *   app_id_key (a CHECK keeps it equal to lower(app_id)).
 * - A page in the older half is read from the other end of the same index, oldest first, so no
 *   page skips more than half of the rows: the last page costs what the first does.
 * The total comes back even when the page is past the end.
 */
export async function findAppPage(
  em: EntityManager,
  query: AppPageQuery,
): Promise<{ apps: AppRecord[]; total: number }> {
  if (query.orgIds.length === 0) return { apps: [], total: 0 };
  const params: unknown[] = [query.offset, query.limit];
  const placeholders = (values: string[]) => values.map((value) => `$${params.push(value)}`).join(', ');
  const filter =
    `owner_org in (${placeholders(query.orgIds)})` +
    (query.onlyAppIds.length > 0 ? ` and app_id_key in (${placeholders(query.onlyAppIds)})` : '');
  // Exactly one branch runs: its condition refers to no column, so PostgreSQL checks it once.
  // The outer limit keeps the planner's row estimate at the page size (a nested-loop join back).
  const rows = await queryRows<Partial<AppRow> & { total: string }>(
    em,
    `select counted.total, ${APP_COLUMNS}
     from (select count(*) as total from apps where ${filter}) counted
     left join lateral (
       select app_id from (
         (select app_id from apps where ${filter} and $1::bigint * 2 <= counted.total
          order by created_at desc, app_id asc offset $1 limit $2)
         union all
         (select app_id from apps where ${filter} and $1::bigint * 2 > counted.total
          order by created_at asc, app_id desc
          offset greatest(counted.total - $1 - $2, 0) limit greatest(least($2, counted.total - $1), 0))
       ) from_either_end limit $2
     ) page on true
     left join apps a on a.app_id_key = lower(page.app_id)
     order by a.created_at desc, a.app_id asc`,
    params,
  );
  const total = Number(rows[0]?.total ?? 0);
  const apps = rows.filter((row) => row.id !== null && row.id !== undefined).map((row) => toRecord(em, row as AppRow));
  return { apps, total };
}

export interface NewApp {
  appId: string;
  name: string;
  iconUrl: string;
  ownerOrg: string;
  userId: string;
}

/**
 * Inserts the app in one statement (a flush of a new entity took a transaction and three round
 * trips) and returns the row as stored, the column defaults included. Runs through `em.execute` so
 * that a taken app_id or a vanished org arrive as MikroORM's UniqueConstraintViolationException and
 * ForeignKeyConstraintViolationException.
 */
export async function insertApp(em: EntityManager, app: NewApp): Promise<AppRecord> {
  const now = new Date();
  const [row] = await em.execute<AppRow[]>(
    `insert into apps as a (id, app_id, app_id_key, name, icon_url, owner_org, user_id, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)
     returning ${APP_COLUMNS}`,
    [randomUUID(), app.appId, app.appId.toLowerCase(), app.name, app.iconUrl, app.ownerOrg, app.userId, now, now],
  );
  if (!row) throw new Error('insert into apps returned no row');
  return toRecord(em, row);
}

export interface AppChanges {
  name?: string;
  iconUrl?: string;
  retention?: number;
}

/**
 * Applies the changes if the app still belongs to `ownerOrg` (the org its rights were checked on)
 * and returns the row as stored; null when it has been deleted or moved meanwhile. `updated_at`
 * advances on every update, even one that changes no value and even within one millisecond.
 */
export async function updateAppRow(
  em: EntityManager,
  target: { id: string; ownerOrg: string },
  changes: AppChanges,
): Promise<AppRecord | null> {
  const params: unknown[] = [target.id, target.ownerOrg, new Date()];
  const sets = (
    [
      ['name', changes.name],
      ['icon_url', changes.iconUrl],
      ['retention', changes.retention],
    ] as const
  )
    .filter(([, value]) => value !== undefined)
    .map(([column, value]) => `${column} = $${params.push(value)}, `);
  const [row] = await queryRows<AppRow>(
    em,
    `update apps a set ${sets.join('')}updated_at = greatest($3::timestamptz, a.updated_at + interval '1 millisecond')
     where a.id = $1 and a.owner_org = $2
     returning ${APP_COLUMNS}`,
    params,
  );
  return row ? toRecord(em, row) : null;
}
