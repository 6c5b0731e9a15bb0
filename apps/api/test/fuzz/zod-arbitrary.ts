import fc from 'fast-check';
import { z } from 'zod';

/**
 * Strings the API has already answered with (ids, app ids, e-mails…). Mixed into generated
 * values so that requests reach existing resources, not only 404s; the fuzzer feeds it.
 */
export class KnownValues {
  private readonly values: string[] = [];
  private readonly seen = new Set<string>();
  /** The fuzzer's own org, user…: picked half the time when they fit, so writes can succeed. */
  private readonly preferred: string[] = [];

  constructor(
    private readonly capacity = 400,
    private readonly never: ReadonlySet<string> = new Set(),
  ) {}

  prefer(...values: string[]): void {
    this.preferred.push(...values);
    for (const value of values) this.add(value);
  }

  add(value: string): void {
    if (this.seen.has(value) || this.never.has(value) || value.length > 255) return;
    this.seen.add(value);
    this.values.push(value);
    if (this.values.length > this.capacity) this.seen.delete(this.values.shift() as string);
  }

  /** Collects every short string inside a JSON value. */
  addFrom(json: unknown): void {
    if (typeof json === 'string') this.add(json);
    else if (Array.isArray(json)) for (const item of json) this.addFrom(item);
    else if (json && typeof json === 'object') for (const item of Object.values(json)) this.addFrom(item);
  }

  /** The `index`-th value (modulo) that `fits`, if any; `exclude` never comes out. */
  pick(index: number, fits: (value: string) => boolean, exclude: ReadonlySet<string>): string | undefined {
    const usable = (value: string) => !exclude.has(value) && fits(value);
    const preferred = this.preferred.filter(usable);
    if (preferred.length > 0 && index % 2 === 0) return preferred[(index >> 1) % preferred.length];
    const candidates = this.values.filter(usable);
    return candidates.length > 0 ? candidates[index % candidates.length] : undefined;
  }
}

export interface ArbitraryContext {
  known: KnownValues;
  /** Values that must not be sent (the fuzzer's own identity on destructive routes). */
  exclude: ReadonlySet<string>;
}

type Def = z.ZodTypeDef & Record<string, unknown>;
type StringCheck = { kind: string; value?: unknown; regex?: RegExp };

const accepts = (schema: z.ZodTypeAny) => (value: unknown) => schema.safeParse(value).success;

/** The first of `tries` values that `ok` accepts, else the first value: bounded, unlike `filter`. */
function preferAccepted<T>(arbitrary: fc.Arbitrary<T>, ok: (value: T) => boolean, tries = 12): fc.Arbitrary<T> {
  return fc
    .array(arbitrary, { minLength: tries, maxLength: tries })
    .map((values) => values.find(ok) ?? (values[0] as T));
}

/** Base strings for a string schema's checks; anything may still be filtered out by the schema. */
function stringBase(checks: StringCheck[]): fc.Arbitrary<string> {
  const kinds = new Set(checks.map((check) => check.kind));
  const max = checks.find((check) => check.kind === 'max' || check.kind === 'length')?.value as number | undefined;
  const min = checks.find((check) => check.kind === 'min' || check.kind === 'length')?.value as number | undefined;
  if (kinds.has('uuid')) return fc.uuid();
  if (kinds.has('datetime')) {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  if (kinds.has('email')) {
    return fc.oneof(
      fc.emailAddress(),
      fc
        .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/), fc.stringMatching(/^[a-z0-9]{1,12}$/))
        .map(([local, domain]) => `${local}@${domain}.example.com`),
    );
  }
  if (kinds.has('url')) return fc.webUrl();
  const regex = checks.find((check) => check.kind === 'regex')?.regex;
  if (regex) return fc.stringMatching(regex).map((value) => (max !== undefined ? value.slice(0, max) : value));
  const maxLength = Math.min(max ?? 40, 300);
  return fc.oneof(
    fc.string({ minLength: min ?? 0, maxLength, unit: 'grapheme' }),
    fc.string({ minLength: min ?? 0, maxLength }),
    fc.webUrl(),
    fc.constant(''),
  );
}

/** A value that `schema` accepts: derived from its zod 3 definition, then checked by the schema itself. */
export function arbitraryFor(schema: z.ZodTypeAny, ctx: ArbitraryContext): fc.Arbitrary<unknown> {
  const def = schema._def as Def;
  const kind = def.typeName as z.ZodFirstPartyTypeKind;
  const K = z.ZodFirstPartyTypeKind;
  switch (kind) {
    case K.ZodString: {
      const ok = accepts(schema);
      const generated = stringBase(def.checks as StringCheck[]).filter(ok);
      const known = fc.nat().chain((index) => {
        const value = ctx.known.pick(index, ok, ctx.exclude);
        return value === undefined ? generated : fc.constant(value);
      });
      return fc.oneof({ weight: 3, arbitrary: known }, { weight: 2, arbitrary: generated });
    }
    case K.ZodNumber: {
      const checks = def.checks as { kind: string; value?: number; inclusive?: boolean }[];
      const min = checks.find((check) => check.kind === 'min')?.value ?? -1e9;
      const max = checks.find((check) => check.kind === 'max')?.value ?? 1e9;
      const integer = checks.some((check) => check.kind === 'int');
      const base = integer
        ? fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max))
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      return base.filter(accepts(schema));
    }
    case K.ZodBoolean:
      return fc.boolean();
    case K.ZodLiteral:
      return fc.constant(def.value);
    case K.ZodEnum:
      return fc.constantFrom(...(def.values as string[]));
    case K.ZodNativeEnum:
      return fc.constantFrom(...Object.values(def.values as object));
    case K.ZodNull:
      return fc.constant(null);
    case K.ZodArray: {
      const minLength = (def.minLength as { value: number } | null)?.value ?? 0;
      const maxLength = Math.min((def.maxLength as { value: number } | null)?.value ?? 4, 4);
      return fc.array(arbitraryFor(def.type as z.ZodTypeAny, ctx), {
        minLength,
        maxLength: Math.max(minLength, maxLength),
      });
    }
    case K.ZodObject: {
      const shape = (schema as z.AnyZodObject).shape as Record<string, z.ZodTypeAny>;
      const record = Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, arbitraryFor(field, ctx)]));
      const requiredKeys = Object.keys(shape).filter((key) => !shape[key]?.isOptional());
      return fc.record(record, { requiredKeys });
    }
    case K.ZodOptional:
    case K.ZodDefault:
      return arbitraryFor(def.innerType as z.ZodTypeAny, ctx);
    case K.ZodNullable:
      return fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 4, arbitrary: arbitraryFor(def.innerType as z.ZodTypeAny, ctx) },
      );
    case K.ZodEffects:
      // refine/preprocess/transform: generate for the inner schema and prefer what the whole accepts,
      // among a bounded number of tries; else send a refused one (its 400 is as much in the contract).
      // An unbounded filter looped for ever on refinements that random values almost never meet
      // (a 366-day window between two dates).
      return preferAccepted(arbitraryFor(def.schema as z.ZodTypeAny, ctx), accepts(schema));
    case K.ZodPipeline:
      return arbitraryFor(def.in as z.ZodTypeAny, ctx).filter(accepts(schema));
    case K.ZodBranded:
    case K.ZodReadonly:
    case K.ZodCatch:
      return arbitraryFor((def.type ?? def.innerType) as z.ZodTypeAny, ctx);
    case K.ZodLazy:
      return arbitraryFor((def.getter as () => z.ZodTypeAny)(), ctx);
    case K.ZodUnion:
    case K.ZodDiscriminatedUnion: {
      const options = [...((def.options as Iterable<z.ZodTypeAny>) ?? [])];
      return fc.oneof(...options.map((option) => arbitraryFor(option, ctx)));
    }
    case K.ZodTuple:
      return fc.tuple(...(def.items as z.ZodTypeAny[]).map((item) => arbitraryFor(item, ctx)));
    case K.ZodRecord:
      return fc.dictionary(fc.string({ maxLength: 10 }), arbitraryFor(def.valueType as z.ZodTypeAny, ctx), {
        maxKeys: 3,
      });
    case K.ZodAny:
    case K.ZodUnknown:
      return fc.jsonValue({ maxDepth: 2 });
    default:
      throw new Error(`The fuzzer cannot generate zod type ${kind} yet: add it to test/fuzz/zod-arbitrary.ts`);
  }
}
