import { extendApi, generateSchema } from '@anatine/zod-openapi';
import type { ReferenceObject, SchemaObject } from 'openapi3-ts';
import { z } from 'zod';

type Schema = SchemaObject | ReferenceObject;

/**
 * What a schema shares with its `.describe()` copies: an object's shape, the schema a refinement
 * wraps, or the options of a union of objects. Undefined for anything else (strings and the like stay inline;
 * enums are named by their values, see `NamedSchemas.enumRef`).
 */
function identityOf(schema: unknown): unknown {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodEffects && schema._def.schema instanceof z.ZodObject) return schema._def.schema;
  // A union of objects only: typescript-fetch emits duplicate imports for `X | X[]` as a named schema.
  if (schema instanceof z.ZodUnion && schema._def.options.every((option: unknown) => option instanceof z.ZodObject)) {
    return schema._def.options;
  }
  return undefined;
}

/** An enum's identity: its values in order, so `.describe()`, `.optional()` and `.default()` copies share it. */
const enumKey = (values: readonly unknown[]) => JSON.stringify(values);

/**
 * The contract's exported object, union and enum schemas, named by their export (`App`, `ErrorBody`,
 * `KeyMode`, ...): each one becomes a component schema wherever it is used, so a new router's schemas
 * are named without a registry to keep up to date. Generators (Java's above all) turn an inline enum
 * into one nested type per property and an inline object or union into a name made up from its
 * path; a named component is one type, under a name that does not change.
 */
export class NamedSchemas {
  private readonly byIdentity = new Map<unknown, { name: string; schema: z.ZodTypeAny }>();
  private readonly enums = new Map<string, { name: string; schema: SchemaObject }>();
  readonly components: Record<string, SchemaObject> = {};

  constructor(exports: Record<string, unknown>) {
    for (const [name, value] of Object.entries(exports)) {
      if (/^[A-Z]/.test(name) && value instanceof z.ZodEnum) {
        const key = enumKey(value.options);
        const other = this.enums.get(key);
        if (other) throw new Error(`Enums ${other.name} and ${name} have the same values; export one of them`);
        this.enums.set(key, { name, schema: { ...(generateSchema(value) as SchemaObject), title: name } });
        continue;
      }
      const identity = identityOf(value);
      if (!/^[A-Z]/.test(name) || identity === undefined || this.byIdentity.has(identity)) continue;
      const schema = value as z.ZodTypeAny;
      this.byIdentity.set(identity, { name, schema });
      // The generator turns a titled schema into a component and references it, nested ones included.
      extendApi(schema, { title: name });
    }
  }

  /** The JSON schema of a zod schema, its named parts moved into the components. */
  schemaOf(schema: z.ZodTypeAny, useOutput: boolean): Schema {
    return this.hoist(generateSchema(schema, useOutput));
  }

  /** A `$ref` to the named schema (or to the one it is a copy of), registering its component on first use. */
  refTo(schema: unknown, useOutput: boolean): ReferenceObject | undefined {
    const named = this.byIdentity.get(identityOf(schema));
    if (!named) return undefined;
    if (!this.components[named.name]) this.schemaOf(named.schema, useOutput);
    return { $ref: `#/components/schemas/${named.name}` };
  }

  /** Moves every titled (named) schema inside `schema` into the components and refers to it. */
  hoist(schema: Schema): Schema {
    if ('$ref' in schema) return schema;
    const node: SchemaObject = { ...schema };
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = node[key];
      if (list) node[key] = list.map((item) => this.hoist(item));
    }
    if (node.not) node.not = this.hoist(node.not);
    if (node.items) node.items = this.hoist(node.items);
    if (node.properties) {
      node.properties = Object.fromEntries(
        Object.entries(node.properties).map(([key, value]) => [key, this.hoist(value)]),
      );
    }
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      node.additionalProperties = this.hoist(node.additionalProperties);
    }
    if (node.enum && node.enum.length > 1) return this.enumRef(node);
    if (!node.title) return node;
    const { nullable, ...component } = node;
    const existing = this.components[node.title];
    if (existing && JSON.stringify(existing) !== JSON.stringify(component)) {
      throw new Error(`Schema ${node.title} is emitted in two different forms (input and output?)`);
    }
    this.components[node.title] = component;
    const ref = { $ref: `#/components/schemas/${node.title}` };
    return nullable ? { nullable: true, allOf: [ref] } : ref;
  }

  /**
   * An inline enum with the values of a named one, as a reference to it. What the use site adds
   * (its own description, a default, nullable) stays beside the reference in an `allOf`, which
   * generators read as the referenced type.
   */
  private enumRef(node: SchemaObject): Schema {
    const named = this.enums.get(enumKey(node.enum ?? []));
    if (!named) throw new Error(`Inline enum [${node.enum?.join(', ')}]: export it from the contract to name it`);
    this.components[named.name] ??= named.schema;
    const ref = { $ref: `#/components/schemas/${named.name}` };
    const { type: _type, enum: _values, description, ...rest } = node;
    const extra = { ...rest, ...(description && description !== named.schema.description ? { description } : {}) };
    return Object.keys(extra).length === 0 ? ref : { allOf: [ref], ...extra };
  }
}
