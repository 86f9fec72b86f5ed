import fc from 'fast-check';
import { SETTLE_MAX_MS } from '../../../shared/domain/tick/storm';
import { createHarness } from '../../support/pipeline-harness';

const CRITICALS = ['vigil-dev-high-error-rate-api', 'vigil-dev-high-error-rate-checkout'];
const GROUP_WAIT_MS = 30_000;
const TICK_MS = 60_000;
const GROUP_INTERVAL_MS = 300_000;

// Alarms firing at random times within 10 minutes, some delivered again (AWS retries) and late.
const scenario = fc.record({
  criticals: fc.subarray(CRITICALS),
  warnings: fc.integer({ min: 0, max: 12 }),
  fireOffsets: fc.array(fc.integer({ min: 0, max: 600_000 }), { minLength: 14, maxLength: 14 }),
  duplicates: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 14, maxLength: 14 }),
  lateBy: fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 14, maxLength: 14 }),
});

describe('pipeline properties', () => {
  it('every unsilenced, uninhibited firing alert is notified within group_wait plus one tick (a storm digest by its next round), never twice', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        // Arrange
        const h = createHarness();
        const start = h.now();
        const names = [
          ...s.criticals,
          ...Array.from({ length: s.warnings }, (_, i) => `dokkerr-dev-batch-${i}`),
        ];
        const deliveries = names
          .flatMap((name, i) => {
            const firedAt = start + (s.fireOffsets[i] ?? 0);
            return Array.from({ length: s.duplicates[i] ?? 1 }, (_, d) => ({
              name,
              firedAt,
              deliverAt: firedAt + (d === 0 ? 0 : (s.lateBy[i] ?? 0)),
            }));
          })
          .sort((a, b) => a.deliverAt - b.deliverAt);
        // Act: deliver in time order with a tick every minute, then ticks past the latest bound below
        // (a digest round may come a group_interval plus the settle time after the last arrival)
        let nextTick = start + TICK_MS;
        for (const d of deliveries) {
          while (nextTick <= d.deliverAt) {
            h.advance(nextTick - h.now());
            await h.tick();
            nextTick += TICK_MS;
          }
          h.advance(d.deliverAt - h.now());
          await h.alarm(d.name, 'ALARM', d.firedAt);
        }
        const after = Math.ceil((TICK_MS + GROUP_INTERVAL_MS + SETTLE_MAX_MS) / TICK_MS) + 1;
        for (let i = 0; i < after; i++) {
          h.advance(nextTick - h.now());
          await h.tick();
          nextTick += TICK_MS;
        }
        // Assert: no notification sent twice on a channel
        const ids = h.sent.map((x) => `${x.channel}:${x.notification.id}`);
        expect(new Set(ids).size).toBe(ids.length);
        // Each alarm reaches Slack in time: criticals at once, the rest within group_wait + one tick;
        // a burst of more group messages than a storm allows is told in a digest: rounds come at most
        // once per group_interval and each waits for the wave to settle (at most SETTLE_MAX_MS)
        for (const name of names) {
          const firedAt = deliveries.find((d) => d.name === name)?.firedAt ?? start;
          const first = h.sent.find(
            (x) =>
              x.channel === 'slack' &&
              (x.notification.alerts.some((a) => a.alarmName === name) ||
                (x.notification.digest?.alertNames ?? []).includes(name)),
          );
          expect(first).toBeDefined();
          const digest = first?.notification.reason === 'digest';
          const limit = digest
            ? TICK_MS + GROUP_INTERVAL_MS + SETTLE_MAX_MS
            : CRITICALS.includes(name)
              ? 0
              : GROUP_WAIT_MS + TICK_MS;
          expect((first?.at ?? Infinity) - firedAt).toBeLessThanOrEqual(limit);
        }
      }),
      { numRuns: 60 },
    );
  });
});
