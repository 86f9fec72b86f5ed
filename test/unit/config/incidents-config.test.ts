import { deriveRuntimeConfig } from '../../../infra/config/derive';
import { validateConfig } from '../../../infra/config/schema';
import type { VigilConfigInput } from '../../../infra/config/schema';
import { STAGE_INPUTS } from '../../../infra/config/stages';

function dev(): VigilConfigInput {
  const input = STAGE_INPUTS['dev'];
  if (!input) throw new Error('no dev stage');
  return input;
}

function withRule(id: string, change: Record<string, unknown>): VigilConfigInput {
  const input = dev();
  return { ...input, rules: input.rules.map((r) => (r.id === id ? { ...r, ...change } : r)) };
}

describe('incident config', () => {
  it('derives the alarm metric first, then the related metrics, with the target dimensions', () => {
    // Arrange / Act
    const runtime = deriveRuntimeConfig(validateConfig(dev()));
    // Assert
    const metrics = runtime.incidents?.metrics['vigil-dev-high-cpu-checkout'] ?? [];
    expect(metrics.map((m) => `${m.role}:${m.name}`)).toEqual([
      'alarm:cpu_usage',
      'related:memory_usage',
      'related:request_rate',
      'related:response_time',
    ]);
    expect(metrics[1]?.metric).toEqual({
      namespace: 'AWS/ECS',
      metricName: 'MemoryUtilization',
      dimensions: { ClusterName: 'dokkerr-dev', ServiceName: 'checkout' },
      stat: 'Average',
    });
    expect(metrics[2]?.math?.using['requests']?.dimensions).toEqual({ Service: 'checkout' });
    expect(runtime.incidents).toMatchObject({
      minSeverity: 'critical',
      reopenWindowSeconds: 1800,
      diagnostics: { windowSeconds: 1800 },
      mitigation: { enabled: true, dryRun: true, maxPerHour: 3 },
      actions: {
        'high-error-rate': { kind: 'ssm-automation', documentName: 'vigil-dev-restart-ecs-service' },
      },
    });
  });

  it.each([
    [
      withRule('high-cpu', { relatedMetrics: ['load_average'] }),
      /^config\(dev\) rules\[high-cpu\]\.relatedMetrics\[0\]: "load_average" is not in the metric catalog; allowed: cpu_usage, /,
    ],
    [
      withRule('high-error-rate', { relatedMetrics: ['memory_usage'] }),
      'config(dev) rules[high-error-rate].relatedMetrics[0]: "memory_usage" needs ClusterName, ServiceName, which targets[0] (api) does not give in its dimensions',
    ],
    [
      withRule('high-error-rate', { mitigation: { kind: 'ssm-automation', documentName: 'x y' } }),
      'config(dev) rules[high-error-rate].mitigation.documentName: must be an SSM Automation document name like vigil-prod-restart-ecs-service',
    ],
    [
      withRule('high-error-rate', { mitigation: { kind: 'lambda', functionArn: 'drain' } }),
      'config(dev) rules[high-error-rate].mitigation.functionArn: must be a Lambda function ARN like arn:aws:lambda:eu-west-1:111122223333:function:name',
    ],
    [
      { ...dev(), incidents: { reopenWithin: 'soon' } },
      'config(dev) incidents.reopenWithin: must be 0 or a positive duration like "30s", "5m"',
    ],
    [
      { ...dev(), incidents: { mitigation: { maxPerHour: 0 } } },
      /^config\(dev\) incidents\.mitigation\.maxPerHour: /,
    ],
    [
      {
        ...withRule('high-error-rate', {
          mitigation: { kind: 'ssm-automation', documentName: 'AWS-RestartEC2Instance', parameters: {} },
        }),
        incidents: { mitigation: { enabled: true, dryRun: false } },
      },
      /^config\(dev\) rules\[high-error-rate\]\.mitigation\.automationPermissions: "AWS-RestartEC2Instance" is not shipped by the stack/,
    ],
    [
      withRule('high-error-rate', {
        mitigation: {
          kind: 'ssm-automation',
          documentName: 'vigil-dev-restart-ecs-service',
          parameters: { ClusterName: ['{service}'], ServiceName: ['{service}'] },
        },
      }),
      'config(dev) rules[high-error-rate].mitigation.parameters.ClusterName: must be one cluster name, without placeholders',
    ],
    [
      withRule('high-error-rate', {
        mitigation: {
          kind: 'ssm-automation',
          documentName: 'vigil-dev-restart-ecs-service',
          parameters: { ClusterName: ['c'], ServiceName: ['s'], DesiredCount: ['0'] },
        },
      }),
      'config(dev) rules[high-error-rate].mitigation.parameters.DesiredCount: unknown; allowed: ClusterName, ServiceName',
    ],
    [
      { ...dev(), stage: 'a-very-long-stage-name' },
      'config(a-very-long-stage-name) stage: must be at most 16 characters (it prefixes every resource name)',
    ],
  ])('a bad incident setting names its field (%#)', (input, message) => {
    // Arrange / Act
    const run = () => validateConfig(input);
    // Assert
    expect(run).toThrow(message);
  });
});
