import { ConfigSchema } from './config/schema.js';

/**
 * `--data-dir X` / `--data-dir=X` -> { dataDir: 'X' }; `--flag` alone means true.
 * `extraValues`: options besides the config keys that take a value (`config`, a tool's own).
 */
export function parseArgs(argv: string[], extraValues: readonly string[] = ['config']): { values: Record<string, string>; flags: Set<string>; errors: string[] } {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const errors: string[] = [];
  const known = new Set(Object.keys(ConfigSchema.properties));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      errors.push(`unexpected argument "${arg}"`);
      continue;
    }
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const name = rawName.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (name === 'help' || name === 'rotateToken' || extraValues.includes(name)) {
      if (extraValues.includes(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) errors.push(name === 'config' ? '--config needs a file path' : `--${rawName} needs a value`);
        else values[name] = v;
      } else flags.add(name);
      continue;
    }
    if (!known.has(name)) {
      errors.push(`unknown option --${rawName}`);
      // Its value (if any) is not a second error.
      if (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) i++;
      continue;
    }
    const v = inline ?? argv[i + 1];
    if (v === undefined || (inline === undefined && v.startsWith('--'))) {
      const prop = (ConfigSchema.properties as Record<string, { type?: string }>)[name];
      if (prop?.type === 'boolean') values[name] = 'true';
      else errors.push(`--${rawName} needs a value`);
      continue;
    }
    if (inline === undefined) i++;
    values[name] = v;
  }
  return { values, flags, errors };
}
