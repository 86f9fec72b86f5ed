import fc from 'fast-check';
import type { MatchedRoute } from '../../../shared/domain/routing';
import { DEFAULT_TIMING, groupKeyOf, groupLabelsOf } from '../../../shared/domain/routing';

const route = (groupBy: string[]): MatchedRoute => ({
  ...DEFAULT_TIMING,
  routeId: 'root.1',
  receiver: 'team-slack',
  channels: ['slack'],
  groupBy,
});

// The key as it was first defined: the group labels' keys sorted, values JSON-encoded. Keys are
// stored in DynamoDB, so they must never change.
function referenceKey(r: MatchedRoute, labels: Record<string, string>): string {
  const g = groupLabelsOf(r, labels);
  const parts = Object.keys(g)
    .sort()
    .map((k) => `${k}=${JSON.stringify(g[k])}`);
  return `${r.routeId}:{${parts.join(',')}}`;
}

describe('groupKeyOf', () => {
  it('is the stored key format for a fixed example', () => {
    // Arrange
    const labels = { service: 'checkout', alertname: 'high-cpu', team: 'payments' };

    // Act
    const key = groupKeyOf(route(['service', 'alertname']), labels);

    // Assert
    expect(key).toBe('root.1:{alertname="high-cpu",service="checkout"}');
  });

  it('equals the reference definition for any labels and groupBy, `...` and repeats included', () => {
    const name = fc.constantFrom('alertname', 'service', 'team', 'severity', 'a"b', 'zone');
    fc.assert(
      fc.property(
        fc.dictionary(name, fc.string()),
        fc.array(fc.oneof(name, fc.constant('...')), { maxLength: 5 }),
        (labels, groupBy) => {
          // Act, Assert
          expect(groupKeyOf(route(groupBy), labels)).toBe(referenceKey(route(groupBy), labels));
        },
      ),
    );
  });
});
