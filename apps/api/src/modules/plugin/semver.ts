/** SemVer 2.0 as the device protocol needs it: parse, compare, and Capgo's coercion of native versions. */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: (string | number)[];
}

const NUMERIC = /^(0|[1-9]\d*)$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-z-][0-9a-z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-z-][0-9a-z-]*))*))?(?:\+([0-9a-z-]+(?:\.[0-9a-z-]+)*))?$/i;
/** Longer strings are not versions (and never reach the regular expression). */
const MAX_LENGTH = 256;

export function parseSemver(value: string): SemVer | undefined {
  if (value.length > MAX_LENGTH) return undefined;
  const match = SEMVER.exec(value);
  if (!match) return undefined;
  const numbers = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  if (!numbers.every(Number.isSafeInteger)) return undefined;
  const prerelease = match[4] ? match[4].split('.').map((id) => (NUMERIC.test(id) ? Number(id) : id)) : [];
  return { major: numbers[0], minor: numbers[1], patch: numbers[2], prerelease };
}

export function formatSemver(version: SemVer): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  return version.prerelease.length > 0 ? `${core}-${version.prerelease.join('.')}` : core;
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Precedence of SemVer 2.0 §11 (build metadata ignored): negative, zero or positive. */
export function compareSemver(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const order = compareIdentifiers(a.prerelease[i] as string | number, b.prerelease[i] as string | number);
    if (order !== 0) return order;
  }
  return a.prerelease.length - b.prerelease.length;
}

/**
 * Capgo's `fixSemver`: native versions are often `1` or `1.0`; `builtin` and `unknown` are 0.0.0.
 * Anything with two dots or more is left as sent.
 */
export function fixSemver(version: string): string {
  if (version === 'builtin' || version === 'unknown') return '0.0.0';
  const dots = version.split('.').length - 1;
  if (dots === 0) return `${version}.0.0`;
  if (dots === 1) return `${version}.0`;
  return version;
}

const STRICT = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** The native version as the server compares it, or undefined when even coercion cannot read it. */
export function normalizeVersionBuild(versionBuild: string): string | undefined {
  if (STRICT.test(versionBuild)) return versionBuild;
  const parsed = parseSemver(fixSemver(versionBuild));
  return parsed ? formatSemver(parsed) : undefined;
}
