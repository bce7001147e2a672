import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '../../main/app.js';
import { loadConfig } from '../../main/config/load.js';
import type { Config } from '../../main/config/schema.js';
import { createLogger } from '../../main/log/logger.js';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface TestApp extends App {
  /** ws://127.0.0.1:PORT */
  wsBase: string;
  /** http://127.0.0.1:PORT */
  httpBase: string;
  /** fetch against the REST API with the bearer token set. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  dispose(): Promise<void>;
}

/** A real app on a loopback port with its own temporary data dir (removed on dispose). */
export async function startTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'ocpp-edge-test-'));
  const config = { ...loadConfig({ env: {}, cli: { dataDir } }), port: 0, host: '127.0.0.1', apiToken: TEST_TOKEN, pingIntervalSec: 0, ...overrides };
  const log = createLogger(process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent');
  const app = createApp(config, log) as TestApp;
  await app.start();
  app.wsBase = `ws://127.0.0.1:${app.port}`;
  app.httpBase = `http://127.0.0.1:${app.port}`;
  app.api = (path, init = {}) => {
    const { json, ...rest } = init;
    const headers: Record<string, string> = { authorization: `Bearer ${TEST_TOKEN}`, ...(rest.headers as Record<string, string>) };
    if (json !== undefined) headers['content-type'] = 'application/json';
    return fetch(app.httpBase + path, { ...rest, headers, ...(json !== undefined && { body: JSON.stringify(json) }) });
  };
  app.dispose = async () => {
    await app.stop();
    if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return app;
}
