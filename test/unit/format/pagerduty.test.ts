import fc from 'fast-check';
import { PAGERDUTY_LIMITS, renderPagerDutyEvent, shouldPage } from '../../../shared/domain/format/pagerduty';
import {
  aNotification,
  criticalFiring,
  criticalResolved,
  hostileNotification,
} from '../../fixtures/delivery/notifications';

describe('renderPagerDutyEvent', () => {
  it('triggers with dedup_key = groupKey, mapped severity and links', () => {
    // Act
    const event = renderPagerDutyEvent(criticalFiring);

    // Assert
    expect(event).toMatchObject({
      event_action: 'trigger',
      dedup_key: '7f3a9c2e41b8d6f0',
      payload: {
        summary: '[prod] checkout: error rate above 5% (7.2% > 5%)',
        severity: 'critical',
        source: 'checkout (prod)',
        component: 'checkout',
        group: 'payments',
        class: 'checkout-error-rate',
        timestamp: '2026-11-26T14:02:00.000Z',
        custom_details: { status: 'firing', notification_id: criticalFiring.id, alerts_total: 1 },
      },
      client: 'Vigil',
    });
    expect(event.links?.map((l) => l.text)).toEqual(['CloudWatch alarm', 'Dashboard', 'Runbook']);
  });

  it('resolves and acknowledges by dedup_key alone', () => {
    expect(renderPagerDutyEvent(criticalResolved)).toEqual({
      event_action: 'resolve',
      dedup_key: '7f3a9c2e41b8d6f0',
    });
    expect(renderPagerDutyEvent(criticalFiring, { action: 'acknowledge' })).toEqual({
      event_action: 'acknowledge',
      dedup_key: '7f3a9c2e41b8d6f0',
    });
  });

  it('keeps the summary within 1024 characters for any notification', () => {
    fc.assert(
      fc.property(hostileNotification, (n) => {
        // Act
        const event = renderPagerDutyEvent({ ...n, status: 'firing' });

        // Assert
        expect(event.payload?.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
        expect(event.dedup_key.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.dedupKey);
        expect(event.payload?.source.length).toBeGreaterThan(0);
      }),
      { numRuns: 100 },
    );
  });
});

describe('shouldPage', () => {
  it('pages only critical by default', () => {
    expect(shouldPage(criticalFiring)).toBe(true);
    expect(shouldPage(aNotification({ severity: 'warning' }))).toBe(false);
  });

  it('honours a lower minimum severity', () => {
    expect(shouldPage(aNotification({ severity: 'warning' }), 'warning')).toBe(true);
    expect(shouldPage(aNotification({ severity: 'info' }), 'warning')).toBe(false);
  });

  it('always forwards resolves so an open incident can close', () => {
    expect(shouldPage(aNotification({ status: 'resolved', severity: 'info' }))).toBe(true);
  });
});
