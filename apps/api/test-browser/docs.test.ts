import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createLogger } from '../src/common/logger.js';

const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google's hosts, which this offline machine refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = path.join(tmpdir(), 'apps-api-docs', 'docs-page.png');
const APP_OPERATIONS = ['listApps', 'getApp', 'createApp', 'updateApp', 'deleteApp'];

let server: Server;
let baseUrl: string;
let browser: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  // The page and the document touch no database.
  server = buildApp({ runtime: { state: 'starting' }, logger: createLogger('silent') }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  userDataDir = mkdtempSync(path.join(tmpdir(), 'apps-api-chromium-'));
  // A fresh, empty profile every run.
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

describe('GET /docs in Chromium', () => {
  it('renders the reference with the five app operations, loading nothing from outside the service', async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(baseUrl) && !req.url().startsWith('data:')) outside.push(req.url());
    });
    const failed: string[] = [];
    page.on('requestfailed', (req) => failed.push(req.url()));

    const response = await page.goto(`${baseUrl}/docs`);
    expect(response?.status()).toBe(200);
    await page.locator('.opblock').first().waitFor({ state: 'visible' });

    for (const operationId of APP_OPERATIONS) {
      const block = page.locator(`#operations-app-${operationId}`);
      await expect(block.isVisible(), operationId).resolves.toBe(true);
      await expect(block.locator('.opblock-summary-operation-id').textContent(), operationId).resolves.toBe(
        operationId,
      );
    }
    await expect(page.locator('.info .title').textContent()).resolves.toContain('Apps API');

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    process.stdout.write(`docs page screenshot: ${SCREENSHOT}\n`);

    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
  });
});
