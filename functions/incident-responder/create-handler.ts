/** Builds the incident responder: SQS FIFO batches of incident signals, one service's signals in order. */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { ResponderDeps } from '../../shared/domain/incident-response';
import { respondToSignal } from '../../shared/domain/incident-response';
import { parseSignal } from '../../shared/domain/incident-signal-schema';
import { MalformedEventError } from '../../shared/domain/errors';
import type { DeadLetterSink } from '../../shared/domain/ports';

/** Ports of the responder handler. */
export interface IncidentResponderDeps extends ResponderDeps {
  /** Where a message that is not a signal goes at once (it would fail every retry). */
  readonly deadLetter: DeadLetterSink;
}

function isSqsEvent(event: unknown): event is SQSEvent {
  return (
    typeof event === 'object' &&
    event !== null &&
    Array.isArray((event as { Records?: unknown }).Records) &&
    (event as SQSEvent).Records.every((r) => r.eventSource === 'aws:sqs' && typeof r.body === 'string')
  );
}

/**
 * The handler: each record is one signal. A failed signal is reported (partial batch response)
 * together with the later signals of its service in the batch, so SQS delivers them again in the
 * same order; other services' signals go on. A body that is not a signal is dead-lettered with
 * its reason and counts as handled.
 */
export function createIncidentResponder(
  deps: IncidentResponderDeps,
): (event: unknown) => Promise<SQSBatchResponse> {
  const handleRecord = async (record: SQSRecord): Promise<void> => {
    const parsed = parseSignal(record.body);
    if (!parsed.ok) {
      deps.log.error('message is not an incident signal; dead-lettered', {
        messageId: record.messageId,
        reason: parsed.reason,
      });
      await deps.deadLetter.send({
        reason: parsed.reason,
        code: 'MALFORMED_SIGNAL',
        source: 'incident-responder',
        receivedAt: new Date(deps.clock()).toISOString(),
        payload: record.body,
      });
      return;
    }
    const outcome = await respondToSignal(deps, parsed.signal);
    deps.log.info('incident signal handled', {
      signal: parsed.signal.id,
      service: parsed.signal.service,
      kind: parsed.signal.kind,
      ...outcome,
    });
  };
  return async (event) => {
    if (!isSqsEvent(event)) {
      throw new MalformedEventError('incident responder: the event is not an SQS batch of messages');
    }
    const processor = new SqsFifoPartialProcessorAsync();
    return processPartialResponse(event, handleRecord, processor, { skipGroupOnError: true });
  };
}
