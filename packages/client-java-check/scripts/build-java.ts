import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ensureJar, runGenerator } from '../../client/scripts/generator-jar.js';

/**
 * Generates the Java client (openapi-generator `java`, library `native`, version pinned in
 * openapitools.json) from the committed packages/contract/openapi.json into generated/, then builds it
 * and check/ with Maven in one reactor. Needs a JDK 11+ and Maven (`.ci/run` installs both).
 */
const DIR = path.resolve(import.meta.dirname, '..');

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: DIR, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

ensureJar(DIR);
rmSync(path.join(DIR, 'generated'), { recursive: true, force: true });
runGenerator(DIR);
// The generated pom attaches javadoc, sources and a test jar; a check needs none of them.
run('mvn', ['-q', '-B', 'package', '-Dmaven.test.skip=true', '-Dmaven.javadoc.skip=true', '-Dmaven.source.skip=true']);
