import { Token } from 'aws-cdk-lib';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';

/** Properties of {@link Tracing}. */
export interface TracingProps {
  /** X-Ray service name the rule applies to (the application's, not the pipeline's). @default "dokkerr" */
  readonly serviceName?: string;
  /** Name of the sampling rule, at most 32 characters. @default "<serviceName>-sampling" */
  readonly ruleName?: string;
  /** Share of requests traced beyond the reservoir, 0 to 1. @default 0.1 */
  readonly fixedRate?: number;
  /** Requests per second traced before the fixed rate applies. @default 1 */
  readonly reservoirSize?: number;
  /** Rule priority (lower wins; the default rule is 10000). @default 1000 */
  readonly priority?: number;
}

/** Sampling for the watched application: one X-Ray rule with a small reservoir and a fixed rate. */
export class Tracing extends Construct {
  /** The sampling rule. */
  public readonly samplingRule: xray.CfnSamplingRule;

  public constructor(scope: Construct, id: string, props: TracingProps = {}) {
    super(scope, id);
    const serviceName = props.serviceName ?? 'dokkerr';
    const ruleName = props.ruleName ?? `${serviceName}-sampling`;
    const fixedRate = props.fixedRate ?? 0.1;
    const reservoirSize = props.reservoirSize ?? 1;
    const priority = props.priority ?? 1000;
    if (!(fixedRate >= 0 && fixedRate <= 1))
      throw new Error(`Tracing fixedRate: ${fixedRate} must be between 0 and 1`);
    if (!Number.isInteger(reservoirSize) || reservoirSize < 0)
      throw new Error(`Tracing reservoirSize: ${reservoirSize} must be a whole number >= 0`);
    if (!Number.isInteger(priority) || priority < 1 || priority > 9999)
      throw new Error(`Tracing priority: ${priority} must be a whole number from 1 to 9999`);
    if (!Token.isUnresolved(ruleName) && (ruleName.length < 1 || ruleName.length > 32))
      throw new Error(`Tracing ruleName: "${ruleName}" must be 1 to 32 characters`);

    this.samplingRule = new xray.CfnSamplingRule(this, 'SamplingRule', {
      samplingRule: {
        ruleName,
        priority,
        fixedRate,
        reservoirSize,
        serviceName,
        serviceType: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });
  }
}
