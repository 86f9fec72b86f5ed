import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsMitigationRunner, clientTokenOf } from '../../../shared/adapters/mitigation-runner';

const ssm = mockClient(SSMClient);
const lambda = mockClient(LambdaClient);
const CONTEXT = {
  incidentId: 'checkout-20261126-1400-abc123',
  service: 'checkout',
  ruleId: 'high-error-rate',
  alarmName: 'vigil-dev-high-error-rate-checkout',
};
const runner = () =>
  new AwsMitigationRunner(new SSMClient({ region: 'eu-west-1' }), new LambdaClient({ region: 'eu-west-1' }));

beforeEach(() => {
  ssm.reset();
  lambda.reset();
});

describe('SSM Automation mitigation', () => {
  it('starts the document with filled parameters and an idempotency token per incident', async () => {
    // Arrange
    ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: 'exec-42' });
    // Act
    const detail = await runner().run(
      {
        kind: 'ssm-automation',
        documentName: 'AWS-RestartECSService',
        parameters: { ClusterName: ['dokkerr-dev'], ServiceName: ['{service}'] },
      },
      CONTEXT,
    );
    // Assert
    expect(detail).toBe('started SSM Automation AWS-RestartECSService: execution exec-42');
    const input = ssm.commandCalls(StartAutomationExecutionCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      DocumentName: 'AWS-RestartECSService',
      Parameters: { ClusterName: ['dokkerr-dev'], ServiceName: ['checkout'] },
      ClientToken: clientTokenOf(CONTEXT.incidentId),
    });
    expect(input?.ClientToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(clientTokenOf('other')).not.toBe(input?.ClientToken);
  });

  it('runs the runbook as the automation role unless the action names one', async () => {
    // Arrange
    const role = 'arn:aws:iam::111122223333:role/vigil-dev-mitigation';
    const withRole = new AwsMitigationRunner(
      new SSMClient({ region: 'eu-west-1' }),
      new LambdaClient({ region: 'eu-west-1' }),
      role,
    );
    ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: 'exec-43' });
    const action = {
      kind: 'ssm-automation' as const,
      documentName: 'vigil-dev-restart-ecs-service',
      parameters: { ClusterName: ['dokkerr-dev'], ServiceName: ['{service}'] },
    };
    // Act
    await withRole.run(action, CONTEXT);
    await withRole.run(
      { ...action, parameters: { ...action.parameters, AutomationAssumeRole: ['arn:aws:iam::1:role/own'] } },
      CONTEXT,
    );
    await runner().run(action, CONTEXT);
    // Assert
    const sent = ssm.commandCalls(StartAutomationExecutionCommand).map((c) => c.args[0].input.Parameters);
    expect(sent[0]).toEqual({
      ClusterName: ['dokkerr-dev'],
      ServiceName: ['checkout'],
      AutomationAssumeRole: [role],
    });
    expect(sent[1]?.['AutomationAssumeRole']).toEqual(['arn:aws:iam::1:role/own']);
    expect(sent[2]).not.toHaveProperty('AutomationAssumeRole');
    expect(action.parameters).not.toHaveProperty('AutomationAssumeRole');
  });

  it('passes an SSM refusal on for the timeline', async () => {
    // Arrange
    ssm.on(StartAutomationExecutionCommand).rejects(
      Object.assign(new Error('Automation definition not found'), {
        name: 'AutomationDefinitionNotFoundException',
      }),
    );
    // Act
    const run = runner().run({ kind: 'ssm-automation', documentName: 'Missing', parameters: {} }, CONTEXT);
    // Assert
    await expect(run).rejects.toThrow('Automation definition not found');
  });
});

describe('Lambda mitigation', () => {
  const action = {
    kind: 'lambda' as const,
    functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:drain-checkout',
    payload: { mode: 'drain' },
  };

  it('invokes asynchronously with the payload and the incident', async () => {
    // Arrange
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    // Act
    const detail = await runner().run(action, CONTEXT);
    // Assert
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: action.functionArn, InvocationType: 'Event' });
    const payload = input?.Payload;
    expect(payload).toBeInstanceOf(Uint8Array);
    expect(
      JSON.parse(Buffer.from(payload instanceof Uint8Array ? payload : new Uint8Array()).toString('utf8')),
    ).toEqual({
      mode: 'drain',
      incident: CONTEXT,
    });
    expect(detail).toBe(`invoked Lambda ${action.functionArn} asynchronously`);
  });

  it('an unexpected status is a failure', async () => {
    // Arrange
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled' });
    // Act
    const run = runner().run(action, CONTEXT);
    // Assert
    await expect(run).rejects.toThrow(`Lambda ${action.functionArn} answered 200 (Unhandled)`);
  });
});
