import { readFileSync } from 'node:fs';
import { createTenant, useServer } from '@apps-api/api/testing';
import { describe, expect, it } from 'vitest';
import { example } from '../examples/usage.js';

const h = useServer();

describe('the README usage example', () => {
  it('is examples/usage.ts, verbatim', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const block = readme.match(/<!-- client-usage:start -->\n```ts\n([\s\S]*?)```\n<!-- client-usage:end -->/);
    expect(block?.[1]).toBe(readFileSync(new URL('../examples/usage.ts', import.meta.url), 'utf8'));
  });

  it('runs against a live server and does what it says', async () => {
    const t = await createTenant(h.em());
    await expect(example(h.baseUrl, t.key, t.orgId)).resolves.toEqual({
      name: 'Notes 2',
      retention: 604800,
      listed: 1,
      refusal: '409 app_id_taken: Custom ID already in use',
    });
  });
});
