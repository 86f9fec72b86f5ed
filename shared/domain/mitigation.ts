import type { MitigationAction } from './runtime-config';

/** What a mitigation action is told about the incident it acts on. */
export interface MitigationContext {
  readonly incidentId: string;
  readonly service: string;
  readonly ruleId?: string;
  readonly alarmName: string;
}

/** Runs a mitigation action (SSM Automation, Lambda); resolves to one line of detail (e.g. the execution id). */
export interface MitigationRunner {
  run(action: MitigationAction, context: MitigationContext): Promise<string>;
}

/** Counts mitigations per hour with a conditional counter, so concurrent handlers share one limit. */
export interface MitigationBudget {
  /** Takes one from the hour starting at `hourStart` if fewer than `max` were taken; false when spent. */
  tryTake(hourStart: number, max: number): Promise<boolean>;
}

/** One line saying what the action does, for the timeline and for dry runs. */
export function describeMitigation(action: MitigationAction): string {
  if (action.kind === 'ssm-automation') {
    const params = Object.entries(action.parameters)
      .map(([k, v]) => `${k}=${v.join(',')}`)
      .join(' ');
    return `SSM Automation ${action.documentName}${params ? ` (${params})` : ''}`;
  }
  return `Lambda ${action.functionArn}`;
}

/** Fills `{service}`, `{incidentId}`, `{ruleId}` and `{alarmName}` in a parameter value. */
export function fillPlaceholders(text: string, context: MitigationContext): string {
  return text.replace(/\{(service|incidentId|ruleId|alarmName)\}/g, (_, key: keyof MitigationContext) =>
    String(context[key] ?? ''),
  );
}

/** The action with its SSM parameters filled in for this incident. */
export function actionFor(action: MitigationAction, context: MitigationContext): MitigationAction {
  if (action.kind !== 'ssm-automation') return action;
  return {
    ...action,
    parameters: Object.fromEntries(
      Object.entries(action.parameters).map(([k, v]) => [k, v.map((x) => fillPlaceholders(x, context))]),
    ),
  };
}

/** Start of the UTC hour that contains `at`. */
export function hourStartOf(at: number): number {
  return Math.floor(at / 3_600_000) * 3_600_000;
}
