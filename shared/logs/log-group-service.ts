/** Which service a log group's lines belong to when a line does not say. Pure. */

/**
 * Last segments that name what a log group holds or where it runs, not a service:
 * the categories, stage names and generic words. A group ending in one of these has no derived
 * service; give it one explicitly in the config when all its lines come from one service.
 */
export const NOT_A_SERVICE: ReadonlySet<string> = new Set([
  'application',
  'applications',
  'app',
  'apps',
  'system',
  'syslog',
  'messages',
  'access',
  'error',
  'errors',
  'log',
  'logs',
  'audit',
  'default',
  'all',
  'stdout',
  'stderr',
  'dev',
  'development',
  'test',
  'qa',
  'uat',
  'stage',
  'staging',
  'prod',
  'production',
]);

/**
 * The documented rule: `/aws/lambda/<function>` gives the function's name; API Gateway execution
 * log groups (`API-Gateway-Execution-Logs_<api>/<stage>`) give none; any other group gives its
 * last path segment unless that is in {@link NOT_A_SERVICE}.
 */
export function deriveServiceFromLogGroup(logGroup: string): string | undefined {
  if (logGroup.startsWith('API-Gateway-Execution-Logs_')) return undefined;
  const segments = logGroup.split('/').filter((part) => part !== '');
  if (segments[0] === 'aws' && segments[1] === 'lambda' && segments.length === 3) return segments[2];
  const last = segments[segments.length - 1];
  if (last === undefined || NOT_A_SERVICE.has(last.toLowerCase())) return undefined;
  return last;
}

/** The configured service of a log group, else the derived one. */
export function serviceForLogGroup(
  logGroup: string,
  configured: Readonly<Record<string, string>>,
): string | undefined {
  return Object.hasOwn(configured, logGroup) ? configured[logGroup] : deriveServiceFromLogGroup(logGroup);
}
