/** Errors that are the user's to fix: printed as one line with the usage hint, exit code 2. */
export class UsageError extends Error {}

export function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${value}"`);
}

/**
 * `--port -1` as parseArgs would read `--port=-1`: a value that looks like a negative number is the option's
 * value, not another option, so it gets the option's own range message instead of "ambiguous argument".
 */
export function negativeValuesJoined(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (/^--[a-z][a-z-]*$/.test(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
