import { alarmSpecs, deriveRuntimeConfig } from '../../../infra/config/derive';
import { validateConfig } from '../../../infra/config/schema';
import { STAGE_INPUTS, loadStageConfig } from '../../../infra/config/stages';

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
      /config\(dev\) rules\[0\]\.severity: .*"info".*"warning".*"critical"/,
    );
  });

  it('fails a rule that names a metric missing from the catalog', () => {
    expect(() => validateConfig(withRule({ metric: 'cpu_usag' }))).toThrow(
      /rules\[0\]\.metric: "cpu_usag" is not in the metric catalog; allowed: .*cpu_usage/,
    );
  });

  it('fails a target that misses a dimension of its metric', () => {
    const input = withRule({
      targets: [{ service: 'api', team: 'platform', dimensions: { ClusterName: 'c' } }],
    });
    expect(() => validateConfig(input)).toThrow(/rules\[0\]\.targets\[0\]\.dimensions: missing ServiceName/);
  });

  it('fails a "for" that is not a multiple of the period', () => {
    expect(() => validateConfig(withRule({ for: '90s' }))).toThrow(
      /rules\[0\]\.for: "90s" must be a whole multiple/,
    );
    expect(() => validateConfig(withRule({ for: 'soon' }))).toThrow(/rules\[0\]\.for: must be a duration/);
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

  it('route warnings to Slack and criticals to Slack, email and SMS, PagerDuty only where enabled', () => {
    const dev = deriveRuntimeConfig(config);
    const prod = deriveRuntimeConfig(loadStageConfig('prod'));
    expect(dev.receivers['team-slack']?.channels).toEqual(['slack']);
    expect(dev.receivers['on-call']?.channels).toEqual(['slack', 'email', 'sms']);
    expect(prod.receivers['on-call']?.channels).toEqual(['slack', 'email', 'sms', 'pagerduty']);
  });
});
