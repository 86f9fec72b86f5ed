/** SMS spend: near the monthly cap SMS pauses and its messages go to email, so SNS's hard limit (which drops SMS) is never reached. */
import { describeError } from '../errors';
import type { Log } from '../ports';
import type { RuntimeConfig } from '../runtime-config';

const SMS_PAUSE_AT = 0.9;

/** Pauses SMS at 90 % of the monthly cap; keeps the previous decision when spend cannot be read. */
export async function isSmsPaused(
  deps: {
    readonly config: RuntimeConfig;
    readonly log: Log;
    readonly smsSpend?: () => Promise<number | undefined>;
  },
  previous: boolean,
): Promise<boolean> {
  const cap = deps.config.budgets.smsMonthlySpendCapUsd;
  if (cap === undefined || !deps.smsSpend) return false;
  try {
    const spent = await deps.smsSpend();
    if (spent === undefined) return previous;
    const paused = spent >= cap * SMS_PAUSE_AT;
    if (paused !== previous) {
      deps.log.warn(paused ? 'SMS paused: monthly spend cap near' : 'SMS resumed', { spent, cap });
    }
    return paused;
  } catch (error) {
    deps.log.error('could not read SMS spend; keeping the previous decision', {
      error: describeError(error),
    });
    return previous;
  }
}
