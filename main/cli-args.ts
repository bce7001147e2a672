import { type ParseArgsConfig, parseArgs as parseArgv } from 'node:util';
import { optionName } from './config/load.js';
import { ConfigSchema } from './config/schema.js';

const kinds = ConfigSchema.properties as Record<string, { type?: string }>;
const camel = (kebab: string) => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Clear words for node:util.parseArgs errors (its own name options in quotes and give hints). */
function explain(err: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${/'(.*)'/.exec(err.message)?.[1] ?? ''}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(err.message)) return `${option} takes no value`;
      if (option === '--config') return '--config needs a file path';
      return `${option} needs a value (one starting with "-" is written ${option}=-VALUE)`;
    default:
      return err.message;
  }
}

/**
 * The command line of the service's tools, with node:util.parseArgs: every config key as
 * `--kebab-case VALUE` / `--kebab-case=VALUE` -> { camelCase: 'VALUE' } (still text: loadConfig
 * converts and validates it, naming the option), `--help` and `--rotate-token` as flags, and
 * `extraValues` (`config`, a tool's own) as options that take a value. A boolean config key
 * alone means true and may also take an explicit value (`--x false`, `--x=false`).
 */
export function parseArgs(argv: string[], extraValues: readonly string[] = ['config']): { values: Record<string, string>; flags: Set<string>; errors: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean' }, 'rotate-token': { type: 'boolean' } };
  for (const key of [...Object.keys(kinds), ...extraValues]) options[optionName(key).slice(2)] = { type: 'string' };
  const isBoolean = (arg: string | undefined) => arg?.startsWith('--') && kinds[camel(arg.slice(2))]?.type === 'boolean';
  // A boolean key alone (last, or before the next option) is "true"; parseArgs would want a value.
  const args = argv.map((a, i) => (isBoolean(a) && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) ? `${a}=true` : a));
  let parsed: ReturnType<typeof parseArgv>;
  try {
    parsed = parseArgv({ args, options, strict: true, allowPositionals: false });
  } catch (err) {
    return { values: {}, flags: new Set(), errors: [explain(err as Error)] };
  }
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (const [name, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string') values[camel(name)] = v;
    else if (v === true) flags.add(camel(name));
  }
  return { values, flags, errors: [] };
}
