import type { EntityManager } from '@mikro-orm/postgresql';
import { toDate } from '../../db/sql.js';
import { App } from './app.entity.js';

/**
 * An app as stored: every property of the entity (the symbol keys are MikroORM's type markers).
 * What both a managed `App` entity and a raw row give. Read-only, so that nobody mutates one
 * expecting a flush to save it: change apps with the repository's functions.
 */
export type AppRecord = Readonly<Omit<App, symbol>>;

export type AppProperty = keyof AppRecord;

interface Column {
  property: AppProperty;
  field: string;
  isDate: boolean;
}

interface AppColumns {
  columns: Column[];
  fieldOf: Map<AppProperty, string>;
  /** Every column, as `a.<field>`, for a select or a returning clause on `apps as a`. */
  selectList: string;
}

let discovered: AppColumns | undefined;

/**
 * The one list of an app's columns: read from the entity as MikroORM discovered it, so that a
 * column added to the entity reaches every hand-written statement's select list and the row
 * mapping by itself. The same for every ORM of the process (same entities, same naming).
 */
function appColumns(em: EntityManager): AppColumns {
  if (discovered) return discovered;
  const columns = Object.values(em.getMetadata().get(App.meta.className).properties)
    .filter((prop) => prop.persist !== false && prop.fieldNames?.length === 1)
    .map((prop) => ({
      property: prop.name as AppProperty,
      field: prop.fieldNames[0] as string,
      isDate: prop.runtimeType === 'Date',
    }));
  discovered = {
    columns,
    fieldOf: new Map(columns.map((column) => [column.property, column.field])),
    selectList: columns.map((column) => `a.${column.field}`).join(', '),
  };
  return discovered;
}

/** `a.id, a.app_id, …`: every column of `apps as a`. */
export function appSelectList(em: EntityManager): string {
  return appColumns(em).selectList;
}

/** The column that stores the property. */
export function appField(em: EntityManager, property: AppProperty): string {
  const field = appColumns(em).fieldOf.get(property);
  if (field === undefined) throw new Error(`App has no column for ${property}`);
  return field;
}

/** A row of `apps` as the driver gives it (timestamps as text), as a record. */
export function toAppRecord(em: EntityManager, row: Record<string, unknown>): AppRecord {
  const record: Record<string, unknown> = {};
  for (const { property, field, isDate } of appColumns(em).columns) {
    const value = row[field];
    record[property] = isDate ? toDate(em, value as string) : value;
  }
  return record as AppRecord;
}
