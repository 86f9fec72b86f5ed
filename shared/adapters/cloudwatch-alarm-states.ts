import { isAlarmState } from '../domain/alert';
import type { AlarmStateReader, CurrentAlarmState } from '../domain/reconcile';
import type { AwsJsonCall } from './aws-json';

interface WireAlarm {
  readonly AlarmName?: string;
  readonly StateValue?: string;
  /** Epoch seconds on the JSON protocol. */
  readonly StateUpdatedTimestamp?: number;
}

interface WirePage {
  readonly MetricAlarms?: readonly WireAlarm[];
  readonly CompositeAlarms?: readonly WireAlarm[];
  readonly NextToken?: string;
}

/** AlarmStateReader on CloudWatch DescribeAlarms (metric and composite alarms, 100 names a call). */
export class CloudWatchAlarmStates implements AlarmStateReader {
  public constructor(private readonly cloudwatch: AwsJsonCall) {}

  /** @inheritdoc */
  public async read(alarmNames: readonly string[]): Promise<ReadonlyMap<string, CurrentAlarmState>> {
    const out = new Map<string, CurrentAlarmState>();
    for (let i = 0; i < alarmNames.length; i += 100) {
      const names = alarmNames.slice(i, i + 100);
      for (const name of names) out.set(name, null);
      let nextToken: string | undefined;
      do {
        const page = (await this.cloudwatch('DescribeAlarms', {
          AlarmNames: names,
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          NextToken: nextToken,
        })) as WirePage;
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          const value = alarm.StateValue;
          if (alarm.AlarmName && value && isAlarmState(value)) {
            out.set(alarm.AlarmName, {
              state: value,
              updatedAt: Math.round((alarm.StateUpdatedTimestamp ?? 0) * 1000),
            });
          }
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return out;
  }
}
