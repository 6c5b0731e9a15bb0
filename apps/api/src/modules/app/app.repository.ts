import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { nextUpdatedAtSql } from '../../db/base.entity.js';
import { type Statement, runSql } from '../../db/sql.js';
import { App } from './app.entity.js';
import { type AppRecord, appField, appSelectList, toAppRecord } from './app.record.js';

// The hot paths (one app, a page of apps, create, update) use hand-written SQL: hydrating entities
// and flushing them cost more CPU than the rest of the request (see src/db/README.md).

let appByAppIdKey: Statement | undefined;

/** Prepared, so its text must not change: built once, from the one column list. */
function appByAppIdKeyStatement(em: EntityManager): Statement {
  appByAppIdKey ??= {
    name: 'app_by_app_id_key',
    text: `select ${appSelectList(em)} from apps a where a.app_id_key = $1`,
  };
  return appByAppIdKey;
}

export async function findAppByAppId(em: EntityManager, appId: string): Promise<AppRecord | null> {
  const [row] = await runSql<Record<string, unknown>>(em, appByAppIdKeyStatement(em), [appId.toLowerCase()]);
  return row ? toAppRecord(em, row) : null;
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
  const rows = await runSql<Record<string, unknown> & { total: string }>(
    em,
    `select counted.total, ${appSelectList(em)}
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
  const apps = rows.filter((row) => row.id !== null && row.id !== undefined).map((row) => toAppRecord(em, row));
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
 * trips) and returns the row as stored, the column defaults included. A taken app_id or a vanished
 * org arrive as UniqueConstraintViolationException and ForeignKeyConstraintViolationException.
 */
export async function insertApp(em: EntityManager, app: NewApp): Promise<AppRecord> {
  const now = new Date();
  const [row] = await runSql<Record<string, unknown>>(
    em,
    `insert into apps as a (id, app_id, app_id_key, name, icon_url, owner_org, user_id, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $8)
     returning ${appSelectList(em)}`,
    [randomUUID(), app.appId, app.appId.toLowerCase(), app.name, app.iconUrl, app.ownerOrg, app.userId, now],
  );
  if (!row) throw new Error('insert into apps returned no row');
  return toAppRecord(em, row);
}

export interface AppChanges {
  name?: string;
  iconUrl?: string;
  retention?: number;
}

/**
 * Applies the changes if the app still belongs to `ownerOrg` (the org its rights were checked on)
 * and returns the row as stored; null when it has been deleted or moved meanwhile. `updated_at`
 * advances by the rule of db/base.entity.ts.
 */
export async function updateAppRow(
  em: EntityManager,
  target: { id: string; ownerOrg: string },
  changes: AppChanges,
): Promise<AppRecord | null> {
  const params: unknown[] = [target.id, target.ownerOrg, new Date()];
  const sets = Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([property, value]) => `${appField(em, property as keyof AppChanges)} = $${params.push(value)}, `);
  const [row] = await runSql<Record<string, unknown>>(
    em,
    `update apps a set ${sets.join('')}updated_at = ${nextUpdatedAtSql('$3')}
     where a.id = $1 and a.owner_org = $2
     returning ${appSelectList(em)}`,
    params,
  );
  return row ? toAppRecord(em, row) : null;
}

/**
 * Deletes the app. Whatever belongs to an app references it with ON DELETE CASCADE (declared on its
 * entity), so this one statement removes it all, atomically.
 */
export async function deleteAppRow(em: EntityManager, id: string): Promise<void> {
  await em.nativeDelete(App, { id });
}
