import type { TickDeps, TickReport } from '../../shared/domain/tick/run-tick';
import { runTick } from '../../shared/domain/tick/run-tick';
import type { InvocationContext } from '../alarm-handler/create-handler';

/** Builds the tick handler (EventBridge schedule, every minute) around injected ports. */
export function createTickHandler(
  deps: Omit<TickDeps, 'claimant'>,
): (event: unknown, context: InvocationContext) => Promise<TickReport> {
  return (_event, context) => runTick({ ...deps, claimant: context.awsRequestId });
}
