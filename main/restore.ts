/**
 * Restores a database backup; refused while the service has the database open:
 *   npm run restore -- --data-dir DIR --from FILE      (FILE: a backup, or "latest")
 * The replaced database is kept beside it as <db>.before-restore-<time>.
 */

import { dbPath } from './app.js';
import { parseArgs } from './cli-args.js';
import { ConfigError, loadConfig } from './config/load.js';
import { backupDirOf } from './scheduler/backups.js';
import { BackupError, listBackups, restoreBackup } from './store/backup.js';

const { values, errors } = parseArgs(process.argv.slice(2), ['config', 'from']);
const from = values.from;
delete values.from;
try {
  if (errors.length) throw new ConfigError(errors.join('; '));
  if (!from) throw new ConfigError('--from FILE (or --from latest) is required');
  const { config: configFile, ...cli } = values;
  const config = loadConfig({ cli, ...(configFile && { configFile }) });
  const file = from === 'latest' ? listBackups(backupDirOf(config))[0]?.file : from;
  if (!file) throw new BackupError(`no backups in ${backupDirOf(config)}`);
  const target = dbPath(config);
  const { previous } = restoreBackup(file, target);
  console.log(`restored ${file} -> ${target}${previous ? `\nprevious database kept as ${previous}` : ''}`);
} catch (err) {
  if (err instanceof ConfigError || err instanceof BackupError) {
    console.error(`restore: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
