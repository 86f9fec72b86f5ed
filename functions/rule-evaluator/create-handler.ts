/** Builds the rule evaluator (EventBridge schedule, every minute) around injected ports. */
import type { EvaluationReport, EvaluatorDeps } from '../../shared/domain/evaluation/evaluator';
import { runEvaluation } from '../../shared/domain/evaluation/evaluator';
import type { InvocationContext } from '../alarm-handler/create-handler';

/** The evaluator's own metrics: namespace, names and the dimension set its alarm reads. */
export const EVALUATOR_METRICS = {
  namespace: 'Vigil/Evaluator',
  service: 'rule-evaluator',
  failures: 'EvaluationFailures',
  calls: 'GetMetricDataCalls',
  queries: 'GetMetricDataQueries',
  durationMs: 'EvaluationDurationMs',
} as const;

/** Where the evaluator's counts go (Powertools Metrics in Lambda, a recorder in tests). */
export interface EvaluatorMetricsSink {
  count(name: string, value: number): void;
  milliseconds(name: string, value: number): void;
}

/** Ports of the rule-evaluator handler. */
export interface RuleEvaluatorDeps extends Omit<EvaluatorDeps, 'claimant'> {
  readonly sink: EvaluatorMetricsSink;
}

/** Builds the handler: runs one evaluation and records its calls, queries, failures and duration. */
export function createRuleEvaluatorHandler(
  deps: RuleEvaluatorDeps,
): (event: unknown, context: InvocationContext) => Promise<EvaluationReport> {
  return async (_event, context) => {
    const started = Date.now();
    const report = await runEvaluation(
      { ...deps, claimant: context.awsRequestId },
      deps.config.evaluator.instances,
    );
    deps.sink.count(EVALUATOR_METRICS.failures, report.failures.length);
    deps.sink.count(EVALUATOR_METRICS.calls, report.calls);
    deps.sink.count(EVALUATOR_METRICS.queries, report.queries);
    deps.sink.milliseconds(EVALUATOR_METRICS.durationMs, Date.now() - started);
    deps.log.info('evaluation finished', {
      evaluatedAt: new Date(report.evaluatedAt).toISOString(),
      instances: report.instances,
      calls: report.calls,
      queries: report.queries,
      phases: report.phases,
      failures: report.failures.length,
    });
    return report;
  };
}
