import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

/**
 * openapi-generator, as every generating package here runs it: the version and the jar's folder
 * come from the package's committed `openapitools.json`, and the jar comes from Maven Central.
 */
interface GeneratorConfig {
  'generator-cli': { version: string; storageDir: string };
}

export function generatorVersion(configDir: string): string {
  return readConfig(configDir).version;
}

function readConfig(configDir: string) {
  const config = JSON.parse(readFileSync(path.join(configDir, 'openapitools.json'), 'utf8')) as GeneratorConfig;
  return config['generator-cli'];
}

/** `<storageDir>/<version>.jar`, resolved as the wrapper resolves it: `~` is home, a relative path starts at the config. */
export function generatorJar(configDir: string): string {
  const { version, storageDir } = readConfig(configDir);
  return path.join(path.resolve(configDir, storageDir.replace('~', homedir())), `${version}.jar`);
}

function hasMaven(): boolean {
  return spawnSync('mvn', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Puts the generator's jar where the wrapper looks for it. With Maven it comes from Maven Central
 * through `mvn dependency:copy` (and Maven's own cache); without Maven the wrapper downloads it
 * itself on first use. Returns the jar's path.
 */
export function ensureJar(configDir: string): string {
  const jar = generatorJar(configDir);
  const version = generatorVersion(configDir);
  if (existsSync(jar)) return jar;
  if (!hasMaven()) {
    process.stdout.write(`No ${jar} and no mvn: the wrapper will download openapi-generator ${version}.\n`);
    return jar;
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
  return jar;
}

/** Runs the wrapper's `generate` on the generators of `configDir/openapitools.json`. */
export function runGenerator(configDir: string): void {
  const wrapper = createRequire(import.meta.url).resolve('@openapitools/openapi-generator-cli/main.js');
  // The wrapper finds openapitools.json through PWD, which a parent shell may have set elsewhere.
  const result = spawnSync(process.execPath, [wrapper, 'generate'], {
    cwd: configDir,
    env: { ...process.env, PWD: configDir },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`openapi-generator failed (exit ${result.status})`);
}
