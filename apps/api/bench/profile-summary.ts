/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package and by function.
 * Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const hits = new Map<number, number>();
for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);
const total = profile.samples.length;

/** node_modules/.pnpm/<pkg>@<v>/node_modules/<pkg>/… → <pkg>; our code → src/…; node internals → node:… */
function ownerOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const inModules = /node_modules\/(?!\.pnpm)((?:@[^/]+\/)?[^/]+)/.exec(
    url.replace(/.*node_modules\/\.pnpm\/[^/]+\//, ''),
  );
  if (inModules?.[1]) return inModules[1];
  if (url.startsWith('node:')) return 'node:internal';
  const ours = /\/(apps|packages)\/[^/]+\/(src|bench|dist)\/.*/.exec(url);
  return ours ? ours[0].slice(1) : url;
}

const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const node of profile.nodes) {
  const count = hits.get(node.id) ?? 0;
  if (count === 0) continue;
  const owner = ownerOf(node.callFrame.url, node.callFrame.functionName);
  const pkg =
    owner.startsWith('apps/') || owner.startsWith('packages/') ? owner.split('/').slice(0, 3).join('/') : owner;
  byOwner.set(pkg, (byOwner.get(pkg) ?? 0) + count);
  const fn = `${node.callFrame.functionName || '(anonymous)'} ${owner}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + count);
}

// Samples with a package anywhere on the stack: what runs inside that package's calls (sync only).
const parentOf = new Map<number, ProfileNode>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
const onStack = new Map<string, number>();
for (const node of profile.nodes) {
  const count = hits.get(node.id) ?? 0;
  if (count === 0) continue;
  const seen = new Set<string>();
  for (let at: ProfileNode | undefined = node; at; at = parentOf.get(at.id)) {
    const owner = ownerOf(at.callFrame.url, at.callFrame.functionName);
    seen.add(
      owner.startsWith('apps/') || owner.startsWith('packages/') ? owner.split('/').slice(0, 3).join('/') : owner,
    );
  }
  for (const owner of seen) onStack.set(owner, (onStack.get(owner) ?? 0) + count);
}

const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, count] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
process.stdout.write(`${total} samples\n`);
print('self time by package', byOwner);
print('samples with the package on the stack', onStack);
print('self time by function', byFunction);
