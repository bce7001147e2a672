import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildUi, uiBuildIsStale } from '../../main/api/ui-build.js';

/**
 * Headless Chromium (Debian's, driven by playwright-core) for the UI tests. A machine without it
 * fails these tests with a clear message; OCPP_EDGE_SKIP_BROWSER=1 skips them on purpose.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SKIP_BROWSER = process.env.OCPP_EDGE_SKIP_BROWSER === '1' ? 'OCPP_EDGE_SKIP_BROWSER=1: browser tests skipped' : false;
const SHOTS = fileURLToPath(new URL('../../test-results/ui/', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH; OCPP_EDGE_SKIP_BROWSER=1 skips the browser tests`);
  }
  // The service serves dist/renderer: build it when the sources changed since the last build.
  if (uiBuildIsStale()) await buildUi();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Saves a screenshot under test-results/ui/ (git-ignored) for a person to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * A page in a fresh browser context, signed in with the sign-in link, at `path`. The context is
 * added to `contexts` for the caller to close.
 */
export async function signedInPage(browser: Browser, contexts: BrowserContext[], base: string, token: string, path = '/'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${base}/?token=${token}`);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  if (path !== '/') await page.goto(base + path);
  return page;
}
