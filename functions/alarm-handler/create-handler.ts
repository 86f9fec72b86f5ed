import type { BatchResponse, AlarmInvocationDeps } from '../../shared/domain/alarm-invocation';
import { processAlarmInvocation } from '../../shared/domain/alarm-invocation';

/** Lambda context fields the handler uses. */
export interface InvocationContext {
  readonly awsRequestId: string;
}

/** Builds the alarm handler around injected ports; `claimant` is the request id. */
export function createAlarmHandler(
  deps: Omit<AlarmInvocationDeps, 'claimant'>,
): (event: unknown, context: InvocationContext) => Promise<BatchResponse | undefined> {
  return async (event, context) => {
    const { report, response } = await processAlarmInvocation(
      { ...deps, claimant: context.awsRequestId },
      event,
    );
    deps.log.info('invocation done', {
      transitions: report.outcomes.length,
      deadLettered: report.deadLettered,
      failed: report.failed,
    });
    return response;
  };
}
