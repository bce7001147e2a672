import { isAbsolute, join } from 'node:path';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import pinoRoll from 'pino-roll';

export type { Logger };

const OPTIONS = {
  base: { svc: 'ocpp-edge' },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label: string) => ({ level: label }) },
};

/**
 * Structured JSON lines on stdout (or a given stream). Child loggers carry the charger id so
 * every line about one charger can be grepped out.
 */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino({ ...OPTIONS, level }, destination ?? pino.destination({ dest: 1, sync: false }));
}

export interface FileLogOptions {
  level: LevelWithSilent;
  dataDir: string;
  logFile?: string | undefined;
  logMaxSize: string;
  logKeepFiles: number;
  /** Also write to stdout (the headless service does; the desktop app need not). */
  stdout: boolean;
}

/**
 * Logs to a file that rolls daily and when it reaches logMaxSize, keeping logKeepFiles old
 * files (pino-roll names them `<file>.<date>.<n>.log`), plus stdout when asked.
 */
export async function createServiceLogger(o: FileLogOptions): Promise<Logger> {
  if (!o.logFile) return createLogger(o.level);
  const base = isAbsolute(o.logFile) ? o.logFile : join(o.dataDir, o.logFile);
  const file = base.replace(/\.log$/, '');
  const roll = await pinoRoll({ file, extension: '.log', size: o.logMaxSize, frequency: 'daily', mkdir: true, limit: { count: o.logKeepFiles } });
  const streams: Array<{ stream: DestinationStream; level: LevelWithSilent }> = [{ stream: roll, level: o.level }];
  if (o.stdout) streams.push({ stream: pino.destination({ dest: 1, sync: false }), level: o.level });
  return pino({ ...OPTIONS, level: o.level }, pino.multistream(streams as never));
}
