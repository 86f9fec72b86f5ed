import type { AlarmDelivery } from './alarm-event';
import { extractAlarmDeliveries } from './alarm-event';
import type { AlertServiceDeps, TransitionOutcome } from './alert-service';
import { handleAlarmChange } from './alert-service';
import { describeError, VigilError } from './errors';
import type { DeadLetterSink } from './ports';

/** Dependencies of one alarm-handler invocation. */
export interface AlarmInvocationDeps extends AlertServiceDeps {
  readonly deadLetter: DeadLetterSink;
}

/** SQS partial-batch response. */
export interface BatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** Summary of an invocation, for logs and the replay. */
export interface InvocationReport {
  readonly outcomes: readonly TransitionOutcome[];
  readonly deadLettered: number;
  readonly failed: number;
}

/** A single (non-batch) invocation failed and must be retried by Lambda. */
export class InvocationFailedError extends VigilError {
  public constructor(failures: readonly unknown[]) {
    const first = failures[0] === undefined ? undefined : describeError(failures[0]);
    super(
      'INVOCATION_FAILED',
      `${failures.length} delivery(ies) failed; first: ${first?.message ?? 'unknown'}`,
      {
        cause: failures[0],
      },
    );
    this.name = 'InvocationFailedError';
  }
}

async function deadLetter(deps: AlarmInvocationDeps, delivery: AlarmDelivery, source: string): Promise<void> {
  const error = delivery.error;
  deps.log.error('malformed alarm event rejected', {
    reason: error?.message,
    code: error?.code,
    deliveryId: delivery.id,
  });
  await deps.deadLetter.send({
    reason: error?.message ?? 'malformed event',
    code: error?.code ?? 'MALFORMED_EVENT',
    source,
    receivedAt: new Date(deps.clock()).toISOString(),
    payload: delivery.raw,
  });
}

/**
 * Processes an alarm-handler invocation of any shape. Malformed deliveries go to the dead-letter
 * sink with their reason; failed ones are reported per SQS record, or fail a single invocation.
 */
export async function processAlarmInvocation(
  deps: AlarmInvocationDeps,
  event: unknown,
): Promise<{ report: InvocationReport; response: BatchResponse | undefined }> {
  const { batch, deliveries } = extractAlarmDeliveries(event);
  const outcomes: TransitionOutcome[] = [];
  const failures: unknown[] = [];
  const failedIds: string[] = [];
  let deadLettered = 0;
  for (const delivery of deliveries) {
    try {
      if (delivery.change) {
        outcomes.push(await handleAlarmChange(deps, delivery.change));
      } else {
        await deadLetter(deps, delivery, batch === 'sqs' ? 'sqs' : 'invocation');
        deadLettered++;
      }
    } catch (error) {
      failures.push(error);
      if (delivery.id) failedIds.push(delivery.id);
      deps.log.error('alarm delivery failed; will be retried', {
        deliveryId: delivery.id,
        error: describeError(error),
      });
    }
  }
  const report = { outcomes, deadLettered, failed: failures.length };
  if (batch === 'sqs') {
    return {
      report,
      response: { batchItemFailures: failedIds.map((itemIdentifier) => ({ itemIdentifier })) },
    };
  }
  if (failures.length > 0) throw new InvocationFailedError(failures);
  return { report, response: undefined };
}
