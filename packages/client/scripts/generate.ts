import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

/**
 * `pnpm generate` for this package: regenerates src/generated/ from packages/contract/openapi.json
 * with the openapi-generator version pinned in openapitools.json.
 */
const CLIENT_DIR = path.resolve(import.meta.dirname, '..');
const OUTPUT_DIR = path.join(CLIENT_DIR, 'src', 'generated');
const KEEP = new Set(['.openapi-generator-ignore']);

interface GeneratorConfig {
  'generator-cli': { version: string; storageDir: string };
}

const config = JSON.parse(readFileSync(path.join(CLIENT_DIR, 'openapitools.json'), 'utf8')) as GeneratorConfig;
const { version, storageDir } = config['generator-cli'];
// Resolved as the wrapper resolves it: `~` is the home folder, a relative path starts here.
const jar = path.join(path.resolve(CLIENT_DIR, storageDir.replace('~', homedir())), `${version}.jar`);

function hasMaven(): boolean {
  return spawnSync('mvn', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Puts the generator's jar where the wrapper looks for it, `<storageDir>/<version>.jar`. With Maven
 * it comes from Maven Central through `mvn dependency:copy` (and Maven's own cache); without Maven
 * the wrapper downloads it itself on first use.
 */
function ensureJar(): void {
  if (existsSync(jar)) return;
  if (!hasMaven()) {
    process.stdout.write(`No ${jar} and no mvn: the wrapper will download openapi-generator ${version}.\n`);
    return;
  }
  process.stdout.write(`Fetching openapi-generator-cli ${version} from Maven Central into ${jar}\n`);
  const scratch = mkdtempSync(path.join(tmpdir(), 'openapi-generator-'));
  try {
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        'dependency:copy',
        `-Dartifact=org.openapitools:openapi-generator-cli:${version}`,
        `-DoutputDirectory=${scratch}`,
      ],
      { stdio: 'inherit', cwd: scratch },
    );
    mkdirSync(path.dirname(jar), { recursive: true });
    copyFileSync(path.join(scratch, `openapi-generator-cli-${version}.jar`), jar);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Empties the output folder so that a schema removed from the document leaves no stale file. */
function cleanOutput(): void {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const entry of readdirSync(OUTPUT_DIR)) {
    if (!KEEP.has(entry)) rmSync(path.join(OUTPUT_DIR, entry), { recursive: true, force: true });
  }
}

function runGenerator(): void {
  const wrapper = createRequire(import.meta.url).resolve('@openapitools/openapi-generator-cli/main.js');
  // The wrapper finds openapitools.json through PWD, which a parent shell may have set elsewhere.
  const result = spawnSync(process.execPath, [wrapper, 'generate'], {
    cwd: CLIENT_DIR,
    env: { ...process.env, PWD: CLIENT_DIR },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`openapi-generator failed (exit ${result.status})`);
}

ensureJar();
cleanOutput();
runGenerator();
