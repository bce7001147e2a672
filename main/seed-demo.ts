/**
 * Fills a database with sample data (stop the service first, or run it before the first start):
 *   npm run seed-demo -- [--data-dir DIR] [--config FILE]
 * Safe to run again: existing chargers, cards and templates are kept.
 */

import { dbPath } from './app.js';
import { parseArgs } from './cli-args.js';
import { ConfigError, loadConfig } from './config/load.js';
import { openDb } from './store/db.js';
import { seedDemo } from './store/demo-data.js';

const { values, errors } = parseArgs(process.argv.slice(2));
try {
  if (errors.length) throw new ConfigError(errors.join('; '));
  const { config: configFile, ...cli } = values;
  const config = loadConfig({ cli, ...(configFile && { configFile }) });
  const db = openDb(dbPath(config));
  try {
    const { created, kept } = seedDemo(db);
    console.log(`seed-demo: ${dbPath(config)}\n  created: ${created.join(', ') || 'nothing'}\n  already there: ${kept.join(', ') || 'nothing'}`);
  } finally {
    db.close();
  }
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`seed-demo: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
