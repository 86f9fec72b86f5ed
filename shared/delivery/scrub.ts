/** Removes URLs and known secret values from text that may reach logs, errors or dead letters. */

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/** Replaces every URL with `[url]` and every occurrence of a secret with `[redacted]`. */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out.replace(URL_PATTERN, '[url]');
}

/** An Error carrying only the scrubbed name and message of `cause` (stack and nested causes dropped). */
export function scrubbedCause(cause: unknown, secrets: readonly string[] = []): Error {
  if (cause instanceof Error) {
    const nested = cause.cause instanceof Error ? `: ${cause.cause.name}: ${cause.cause.message}` : '';
    const e = new Error(scrub(`${cause.message}${nested}`, secrets));
    e.name = cause.name;
    e.stack = `${e.name}: ${e.message}`;
    return e;
  }
  return new Error(scrub(String(cause), secrets));
}
