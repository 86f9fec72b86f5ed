import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { isAlarmState } from '../domain/alert';
import type { AlarmStateReader, CurrentAlarmState } from '../domain/reconcile';

/** AlarmStateReader on CloudWatch DescribeAlarms (metric and composite alarms, 100 names a call). */
export class CloudWatchAlarmStates implements AlarmStateReader {
  public constructor(private readonly cloudwatch: CloudWatchClient) {}

  /** @inheritdoc */
  public async read(alarmNames: readonly string[]): Promise<ReadonlyMap<string, CurrentAlarmState>> {
    const out = new Map<string, CurrentAlarmState>();
    for (let i = 0; i < alarmNames.length; i += 100) {
      const names = alarmNames.slice(i, i + 100);
      for (const name of names) out.set(name, null);
      let nextToken: string | undefined;
      do {
        const page = await this.cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmNames: names,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            NextToken: nextToken,
          }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          const value = alarm.StateValue;
          if (alarm.AlarmName && value && isAlarmState(value)) {
            out.set(alarm.AlarmName, {
              state: value,
              updatedAt: alarm.StateUpdatedTimestamp?.getTime() ?? 0,
            });
          }
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return out;
  }
}
