import { createHash } from 'node:crypto';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { VigilError } from '../domain/errors';
import type { MitigationContext, MitigationRunner } from '../domain/mitigation';
import { actionFor } from '../domain/mitigation';
import type { MitigationAction } from '../domain/runtime-config';

/** A mitigation action AWS refused or that reported a failure. */
export class MitigationError extends VigilError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super('MITIGATION_FAILED', message, options);
    this.name = 'MitigationError';
  }
}

/** Env var holding the role SSM Automation runbooks run as (their AutomationAssumeRole). */
export const AUTOMATION_ROLE_ENV = 'MITIGATION_AUTOMATION_ROLE_ARN';

/** A UUID-shaped idempotency token derived from the incident, so a retry never starts a second execution. */
export function clientTokenOf(incidentId: string): string {
  const h = createHash('sha256').update(`mitigation:${incidentId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Starts mitigation actions: an SSM Automation execution (idempotent per incident through its
 * client token) or an asynchronous Lambda invocation carrying the incident. Runbooks run as
 * `automationRoleArn` (their AutomationAssumeRole) unless the action names a role itself; without
 * one a runbook would run with the permissions of the Lambda that started it.
 */
export class AwsMitigationRunner implements MitigationRunner {
  public constructor(
    private readonly ssm: SSMClient,
    private readonly lambda: LambdaClient,
    private readonly automationRoleArn?: string,
  ) {}

  /** @inheritdoc */
  public async run(action: MitigationAction, context: MitigationContext): Promise<string> {
    if (action.kind === 'ssm-automation') {
      const filled = actionFor(action, context);
      const parameters = filled.kind === 'ssm-automation' ? { ...filled.parameters } : {};
      if (this.automationRoleArn !== undefined && parameters['AutomationAssumeRole'] === undefined)
        parameters['AutomationAssumeRole'] = [this.automationRoleArn];
      const out = await this.ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: action.documentName,
          Parameters: parameters,
          ClientToken: clientTokenOf(context.incidentId),
          Tags: [{ Key: 'vigil:incident', Value: context.incidentId }],
        }),
      );
      if (!out.AutomationExecutionId) throw new MitigationError('SSM returned no automation execution id');
      return `started SSM Automation ${action.documentName}: execution ${out.AutomationExecutionId}`;
    }
    const out = await this.lambda.send(
      new InvokeCommand({
        FunctionName: action.functionArn,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ ...action.payload, incident: context })),
      }),
    );
    if (out.StatusCode !== 202 || out.FunctionError) {
      throw new MitigationError(
        `Lambda ${action.functionArn} answered ${out.StatusCode ?? '?'}${out.FunctionError ? ` (${out.FunctionError})` : ''}`,
      );
    }
    return `invoked Lambda ${action.functionArn} asynchronously`;
  }
}
