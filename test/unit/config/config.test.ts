import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { alarmSpecs, deriveRuntimeConfig } from '../../../infra/config/derive';
import { validateConfig } from '../../../infra/config/schema';
import { STAGE_INPUTS, loadStageConfig } from '../../../infra/config/stages';
import { routeAlert } from '../../../shared/domain/routing';

const ROOT = path.join(__dirname, '..', '..', '..');

function devInput(): Record<string, unknown> {
  return structuredClone(STAGE_INPUTS['dev']) as unknown as Record<string, unknown>;
}

function withRule(patch: Record<string, unknown>, index = 0): Record<string, unknown> {
  const input = devInput();
  const rules = input['rules'] as Record<string, unknown>[];
  rules[index] = { ...rules[index], ...patch };
  return input;
}

describe('stage config validation', () => {
  it('accepts every shipped stage', () => {
    for (const stage of Object.keys(STAGE_INPUTS)) expect(loadStageConfig(stage).stage).toBe(stage);
  });

  it('names the unknown stage and the allowed ones', () => {
    expect(() => loadStageConfig('qa')).toThrow('stage "qa" is not configured; allowed: dev, prod');
  });

  it('names the field and the allowed values of a bad severity', () => {
    expect(() => validateConfig(withRule({ severity: 'urgent' }))).toThrow(
      /config\(dev\) rules\[high-cpu\]\.severity: .*"info".*"warning".*"critical"/,
    );
  });

  it('fails a rule that names a metric missing from the catalog', () => {
    expect(() => validateConfig(withRule({ metric: 'cpu_usag' }))).toThrow(
      /rules\[high-cpu\]\.metric: "cpu_usag" is not in the metric catalog; allowed: .*cpu_usage/,
    );
  });

  it('fails a target that misses a dimension of its metric', () => {
    const input = withRule({
      targets: [{ service: 'api', team: 'platform', dimensions: { ClusterName: 'c' } }],
    });
    expect(() => validateConfig(input)).toThrow(
      /rules\[high-cpu\]\.targets\[0\]\.dimensions: missing ServiceName/,
    );
  });

  it('fails a "for" that is not a multiple of the period', () => {
    expect(() => validateConfig(withRule({ for: '90s' }))).toThrow(
      /rules\[high-cpu\]\.for: "90s" must be a whole multiple/,
    );
    expect(() => validateConfig(withRule({ for: 'soon' }))).toThrow(
      /rules\[high-cpu\]\.for: must be a positive duration/,
    );
  });

  it('fails a route that names an unknown receiver, listing the receivers', () => {
    const input = devInput();
    input['route'] = {
      receiver: 'team-slack',
      routes: [{ matchers: ['severity="critical"'], receiver: 'nobody' }],
    };
    expect(() => validateConfig(input)).toThrow(
      /route\.routes\[0\]\.receiver: "nobody" is not a receiver; allowed: team-slack, on-call/,
    );
  });

  it('fails a malformed matcher naming where it is', () => {
    const input = devInput();
    input['route'] = {
      receiver: 'team-slack',
      routes: [{ matchers: ['severity=="x"'], receiver: 'on-call' }],
    };
    expect(() => validateConfig(input)).toThrow(/route\.routes\[0\]\.matchers\[0\]/);
  });

  it('takes a log group as a name or as { name, service }, and names a bad entry', () => {
    const input = devInput();
    const logs = input['logs'] as { logGroups: Record<string, unknown[]> };
    logs.logGroups['access'] = [{ name: '/dokkerr/dev/access', service: 'gateway' }];
    expect(validateConfig(input).logs?.logGroups.access).toEqual([
      { name: '/dokkerr/dev/access', service: 'gateway' },
    ]);
    logs.logGroups['access'] = [{ name: '/dokkerr/dev/access', service: '' }];
    expect(() => validateConfig(input)).toThrow(/logs\.logGroups\.access\[0\]\.service: Too small/);
  });

  it('fails an invalid phone number and an external prefix that overlaps our own alarms', () => {
    const bad = devInput();
    bad['channels'] = { sms: { subscribers: ['0770 090 0123'] } };
    expect(() => validateConfig(bad)).toThrow(/channels\.sms\.subscribers\[0\]: must be an E\.164/);
    const overlap = devInput();
    overlap['externalAlarms'] = { namePrefixes: ['vigil-'] };
    expect(() => validateConfig(overlap)).toThrow(/externalAlarms\.namePrefixes\[0\]: "vigil-" overlaps/);
  });
});

describe('config semantics', () => {
  it('refuses thresholds outside the values the catalog metric takes, naming the rule by id', () => {
    expect(() => validateConfig(withRule({ threshold: -80 }))).toThrow(
      'config(dev) rules[high-cpu].threshold: -80 is outside the values cpu_usage takes (0..100 Percent)',
    );
    expect(() => validateConfig(withRule({ threshold: 500 }, 1))).toThrow(
      'config(dev) rules[high-error-rate].threshold: 500 is outside the values error_rate takes (0..100 Percent)',
    );
    expect(() => validateConfig(withRule({ threshold: -1 }, 2))).toThrow(
      'config(dev) rules[slow-queries].threshold: -1 is outside the values query_latency takes (>= 0 Milliseconds)',
    );
  });

  it('refuses a comparison that can never hold', () => {
    expect(() => validateConfig(withRule({ threshold: 100 }))).toThrow(
      'config(dev) rules[high-cpu].threshold: "> 100" can never hold: cpu_usage takes 0..100 Percent',
    );
    expect(() => validateConfig(withRule({ comparison: '<', threshold: 0 }, 2))).toThrow(
      'config(dev) rules[slow-queries].threshold: "< 0" can never hold: query_latency takes >= 0 Milliseconds',
    );
  });

  it("checks a severity ladder's metrics and thresholds, naming the level", () => {
    const ladder = (metric: string, threshold: number) =>
      withRule({ severityLadder: [{ severity: 'critical', when: { metric, comparison: '>', threshold } }] });
    expect(() => validateConfig(ladder('disk_usage', 90))).toThrow(
      'config(dev) rules[high-cpu].severityLadder[0].when.metric: "disk_usage" is neither the rule\'s metric nor one of its relatedMetrics; allowed: cpu_usage, memory_usage, request_rate, response_time',
    );
    expect(() => validateConfig(ladder('memory_usage', 190))).toThrow(
      'config(dev) rules[high-cpu].severityLadder[0].when.threshold: 190 is outside the values memory_usage takes (0..100 Percent)',
    );
    expect(deriveRuntimeConfig(validateConfig(ladder('memory_usage', 90))).severityBudgetMs).toBe(1000);
  });

  it('checks every threshold of a scheduled rule, naming its place in the condition', () => {
    const input = devInput();
    const rules = input['rules'] as Record<string, unknown>[];
    const index = rules.findIndex((r) => r['id'] === 'cpu-memory-pressure');
    rules[index] = {
      ...rules[index],
      levels: [
        {
          severity: 'critical',
          when: { all: [{ metric: 'memory_usage', comparison: '>', threshold: 190 }] },
        },
      ],
    };
    expect(() => validateConfig(input)).toThrow(
      'config(dev) rules[cpu-memory-pressure].levels[0].when.all[0].threshold: 190 is outside the values memory_usage takes (0..100 Percent)',
    );
  });

  it('takes a catalog range over what the unit allows', () => {
    const input = devInput();
    const catalog = input['catalog'] as Record<string, Record<string, unknown>>;
    input['catalog'] = { ...catalog, cpu_usage: { ...catalog['cpu_usage'], range: { min: 0, max: 400 } } };
    const rules = input['rules'] as Record<string, unknown>[];
    rules[0] = { ...rules[0], threshold: 250 };
    expect(validateConfig(input).rules[0]).toMatchObject({ id: 'high-cpu', threshold: 250 });
  });

  it('refuses durations that are not positive', () => {
    expect(() => validateConfig(withRule({ for: '-5m' }))).toThrow(
      'config(dev) rules[high-cpu].for: must be a positive duration like "30s", "5m", "4h" or "1d"',
    );
    expect(() => validateConfig(withRule({ for: '0m' }))).toThrow(
      /rules\[high-cpu\]\.for: must be a positive/,
    );
    const storm = devInput();
    storm['storm'] = { threshold: 25, window: '0s' };
    expect(() => validateConfig(storm)).toThrow('config(dev) storm.window: must be a positive duration');
  });

  it('names a rule by position when its id is unusable or shared', () => {
    expect(() => validateConfig(withRule({ id: 'High CPU', threshold: -1 }))).toThrow(
      /^config\(dev\) rules\[0\]\.id: must be lower-case/,
    );
    expect(() => validateConfig(withRule({ id: 'high-cpu' }, 1))).toThrow(
      'config(dev) rules[1].id: "high-cpu" is used by another rule',
    );
  });

  it('the CDK app prints a config error as one line and exits 1', async () => {
    // Arrange
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const run = (context: Record<string, unknown>) =>
      promisify(execFile)(tsx, ['infra/app.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify(context),
          CDK_OUTDIR: mkdtempSync(path.join(tmpdir(), 'vigil-app-')),
        },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );

    // Act
    const [stage, scale] = await Promise.all([run({ stage: 'qa' }), run({ scaleTargets: 1 })]);

    // Assert
    expect(stage).toEqual({ code: 1, stderr: 'stage "qa" is not configured; allowed: dev, prod\n' });
    expect(scale).toEqual({ code: 1, stderr: 'scaleTargets: 1 must be a whole number from 3 to 2000\n' });
  });
});

describe('seed rules', () => {
  const config = loadStageConfig('dev');

  it('realise the "for" durations with one-minute periods', () => {
    const byRule = new Map(alarmSpecs(config).map((s) => [s.rule.id, s]));
    expect(byRule.get('high-cpu')).toMatchObject({
      evaluationPeriods: 5,
      rule: { threshold: 80, severity: 'warning' },
    });
    expect(byRule.get('high-error-rate')).toMatchObject({
      evaluationPeriods: 1,
      rule: { threshold: 5, severity: 'critical', metric: 'error_rate' },
    });
    expect(byRule.get('slow-queries')).toMatchObject({
      evaluationPeriods: 2,
      rule: { threshold: 1000, severity: 'warning' },
    });
  });

  // The seed's escalation map: every rule's warnings to Slack; criticals to the rule's own channels.
  const SEED_CHANNELS: Record<string, Record<'warning' | 'critical', string[]>> = {
    'high-cpu': { warning: ['slack'], critical: ['email', 'slack', 'sms'] },
    'high-error-rate': { warning: ['slack'], critical: ['email', 'pagerduty', 'slack'] },
    'slow-queries': { warning: ['slack'], critical: ['email', 'slack'] },
  };

  it.each(['dev', 'prod'])('route each seed rule and severity to exactly its channels in %s', (stage) => {
    // Arrange
    const runtime = deriveRuntimeConfig(loadStageConfig(stage));
    // Act
    const routed = Object.fromEntries(
      Object.keys(SEED_CHANNELS).map((rule) => [
        rule,
        Object.fromEntries(
          (['warning', 'critical'] as const).map((severity) => [
            severity,
            [
              ...routeAlert(runtime.route, runtime.receivers, { alertname: rule, severity, service: 'api' })
                .channels,
            ].sort(),
          ]),
        ),
      ]),
    );
    // Assert
    expect(routed).toEqual(SEED_CHANNELS);
  });

  it('escalate an unacknowledged warning no further than its rule pages', () => {
    const runtime = deriveRuntimeConfig(loadStageConfig('prod'));
    const steps = (rule: string) =>
      routeAlert(runtime.route, runtime.receivers, {
        alertname: rule,
        severity: 'warning',
        service: 'api',
      }).routes.flatMap((r) => r.escalation.map((e) => `${e.afterSeconds / 60}m ${e.channels.join('+')}`));
    expect(steps('high-cpu')).toEqual(['15m email', '30m sms']);
    expect(steps('high-error-rate')).toEqual(['15m email']);
    expect(steps('slow-queries')).toEqual(['15m email']);
  });
});
