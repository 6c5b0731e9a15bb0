import { extendApi, generateSchema } from '@anatine/zod-openapi';
import type { ReferenceObject, SchemaObject } from 'openapi3-ts';
import { z } from 'zod';

type Schema = SchemaObject | ReferenceObject;

/**
 * What a schema shares with its `.describe()` copies: an object's shape, or the schema a refinement
 * wraps. Undefined for anything that is not an object (strings and the like stay inline).
 */
function identityOf(schema: unknown): unknown {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodEffects && schema._def.schema instanceof z.ZodObject) return schema._def.schema;
  return undefined;
}

/**
 * The contract's exported object schemas, named by their export (`App`, `ErrorBody`, ...): each one
 * becomes a component schema wherever it is used, so a new router's schemas are named without a
 * registry to keep up to date.
 */
export class NamedSchemas {
  private readonly byIdentity = new Map<unknown, { name: string; schema: z.ZodTypeAny }>();
  readonly components: Record<string, SchemaObject> = {};

  constructor(exports: Record<string, unknown>) {
    for (const [name, value] of Object.entries(exports)) {
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
}
