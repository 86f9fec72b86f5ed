import { ConfigError } from '../../../shared/domain/errors';
import { matches, parseMatcher } from '../../../shared/domain/matchers';
import type { RouteNode } from '../../../shared/domain/routing';
import { routeAlert } from '../../../shared/domain/routing';

const m = (text: string) => parseMatcher(text);

describe('matchers', () => {
  it.each([
    ['severity="critical"', { severity: 'critical' }, true],
    ['severity="critical"', { severity: 'warning' }, false],
    ['severity!=critical', { severity: 'warning' }, true],
    ['service=~"api|web"', { service: 'web' }, true],
    ['service=~"api|web"', { service: 'webhook' }, false],
    ['service!~"api.*"', { service: 'checkout' }, true],
    ['team=""', {}, true],
    ['summary="say \\"hi\\""', { summary: 'say "hi"' }, true],
  ])('%s against %j is %s', (text, labels, expected) => {
    expect(matches(m(text), labels)).toBe(expected);
  });

  it('rejects malformed matchers and bad regexes naming the field', () => {
    expect(() => parseMatcher('severity==x', 'route.matchers[0]')).toThrow(ConfigError);
    expect(() => parseMatcher('service=~"(("', 'route.matchers[1]')).toThrow(
      /route\.matchers\[1\].*regular expression/,
    );
  });
});

describe('routeAlert', () => {
  const receivers = {
    default: { channels: ['slack' as const] },
    oncall: { channels: ['slack' as const, 'email' as const, 'sms' as const] },
    payments: { channels: ['email' as const] },
    audit: { channels: ['email' as const] },
  };
  const tree: RouteNode = {
    receiver: 'default',
    matchers: [],
    continue: false,
    routes: [
      { receiver: 'audit', matchers: [m('team="payments"')], continue: true, routes: [] },
      {
        receiver: 'oncall',
        matchers: [m('severity="critical"')],
        continue: false,
        routes: [{ receiver: 'payments', matchers: [m('service="checkout"')], continue: false, routes: [] }],
      },
      { receiver: 'payments', matchers: [m('severity="critical"')], continue: false, routes: [] },
    ],
  };

  it('falls back to the root receiver when no child matches', () => {
    const result = routeAlert(tree, receivers, { severity: 'warning', team: 'platform' });
    expect(result.receivers).toEqual(['default']);
    expect(result.channels).toEqual(['slack']);
    expect(result.routes.map((r) => r.routeId)).toEqual(['root']);
  });

  it('stops at the first matching child unless it says continue', () => {
    // Act
    const result = routeAlert(tree, receivers, { severity: 'critical', service: 'api', team: 'platform' });
    // Assert: the third route also matches critical, but the second does not continue
    expect(result.receivers).toEqual(['oncall']);
  });

  it('continues past a route with continue and descends into nested routes', () => {
    const result = routeAlert(tree, receivers, {
      severity: 'critical',
      service: 'checkout',
      team: 'payments',
    });
    expect(result.receivers).toEqual(['audit', 'payments']);
    expect(result.channels).toEqual(['email']);
    expect(result.routes.map((r) => r.routeId)).toEqual(['root.0', 'root.1.0']);
  });

  it('inherits timing down the tree and lets a child override it', () => {
    // Arrange
    const timed: RouteNode = {
      ...tree,
      groupBy: ['service'],
      groupWaitSeconds: 30,
      routes: [
        {
          receiver: 'oncall',
          matchers: [m('severity="critical"')],
          continue: false,
          routes: [],
          groupWaitSeconds: 0,
        },
      ],
    };
    // Act
    const critical = routeAlert(timed, receivers, { severity: 'critical', service: 'api' }).routes[0];
    const warning = routeAlert(timed, receivers, { severity: 'warning', service: 'api' }).routes[0];
    // Assert
    expect(critical).toMatchObject({
      groupWaitSeconds: 0,
      groupBy: ['service'],
      groupIntervalSeconds: 300,
      repeatIntervalSeconds: 14400,
    });
    expect(warning).toMatchObject({ routeId: 'root', groupWaitSeconds: 30 });
  });
});
