// pino-roll ships JSDoc only; the part we use, typed.
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';

  interface PinoRollOptions {
    file: string;
    size?: number | string;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
    symlink?: boolean;
    dateFormat?: string;
  }
  export default function pinoRoll(options: PinoRollOptions): Promise<DestinationStream & { flushSync(): void; end(): void }>;
}
