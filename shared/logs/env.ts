/** Fail-fast environment access for the log pipeline's functions. */

/** A required variable is missing or empty. */
export class MissingEnvironmentError extends Error {
  public readonly code = 'MISSING_ENVIRONMENT';
  public constructor(name: string) {
    super(`environment variable ${name} is required`);
    this.name = 'MissingEnvironmentError';
  }
}

/** Returns the variable or throws naming it. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new MissingEnvironmentError(name);
  return value;
}
