/** Errors that are the user's to fix: printed as one line with the usage hint, exit code 2. */
export class UsageError extends Error {}

export function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${value}"`);
}
