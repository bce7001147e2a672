import { join } from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import { type BackupFile, backupNow, listBackups } from '../store/backup.js';
import type { Db } from '../store/db.js';

export const backupDirOf = (config: Config): string => config.backupDir ?? join(config.dataDir, 'backups');

/** Daily (configurable) online backup with retention; a failure raises an alert. */
export class BackupScheduler {
  private readonly task: ScheduledTask | null;
  private running: Promise<BackupFile> | null = null;

  constructor(
    private readonly config: Config,
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {
    this.task =
      config.backupCron === 'off'
        ? null
        : cron.schedule(
            config.backupCron,
            async () => {
              try {
                await this.runNow();
              } catch {
                // Reported by runNow.
              }
            },
            { noOverlap: true },
          );
  }

  list(): BackupFile[] {
    return listBackups(backupDirOf(this.config));
  }

  /** One backup at a time; a second request while one runs gets the same result. */
  runNow(): Promise<BackupFile> {
    this.running ??= backupNow(this.db, backupDirOf(this.config), this.config.backupKeep)
      .then(
        (b) => {
          this.log.info({ file: b.file, bytes: b.bytes }, 'database backup written');
          return b;
        },
        (err: Error) => {
          this.log.error({ err }, 'database backup failed');
          this.events.emit('alert', { kind: 'backup', message: err.message, at: new Date().toISOString() });
          throw err;
        },
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    await this.task?.destroy();
    await this.running?.catch(() => undefined);
  }
}
