import { Type } from '@sinclair/typebox';
import { envName } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { ConfigSchema } from '../../config/schema.js';
import { Setting } from '../responses/operations.js';
import type { Route } from '../router.js';

const SECRET = new Set(['apiToken']);

/**
 * The settings screen: every config key with its value, default and where the value came from.
 * The service reads its config once at start, so every change applies on restart.
 */
export function uiSettingsRoutes(config: Config, env: NodeJS.ProcessEnv = process.env): Route[] {
  const props = ConfigSchema.properties as Record<string, { description?: string; default?: unknown }>;
  return [
    {
      method: 'GET',
      path: '/api/ui/settings',
      response: Type.Array(Setting),
      summary: 'Config keys: value (secrets hidden), default, source (default | environment | config file or command line), applies (restart)',
      handler: () =>
        Object.entries(props).map(([key, p]) => {
          const value = (config as Record<string, unknown>)[key] ?? null;
          const source = env[envName(key)] !== undefined ? 'environment' : JSON.stringify(value) === JSON.stringify(p.default ?? null) ? 'default' : 'config file or command line';
          return { key, value: SECRET.has(key) && value !== null ? '(hidden)' : value, default: p.default ?? null, description: p.description ?? '', source, env: envName(key), applies: 'restart' };
        }),
    },
  ];
}
