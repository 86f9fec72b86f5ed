/** AWS console links for the evidence an incident carries. */

/** CloudWatch console link of an alarm. */
export function alarmConsoleUrl(region: string, alarmName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/** X-Ray trace link in the CloudWatch console. */
export function traceConsoleUrl(region: string, traceId: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#xray:traces/${encodeURIComponent(traceId)}`;
}

/** X-Ray trace list filtered like the diagnostics query, over the same window. */
export function traceListConsoleUrl(region: string, filter: string, from: number, until: number): string {
  const query = `filter=${encodeURIComponent(filter)}&timeRange=${new Date(from).toISOString()}~${new Date(until).toISOString()}`;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#xray:traces/query?${query}`;
}
