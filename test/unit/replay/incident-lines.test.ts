import { incidentLines } from '../../../shared/replay/render-output';

describe('incident lines of the readable replay output', () => {
  it('shows MTTA/MTTR, who acknowledged and the mitigation outcome', () => {
    // Arrange
    const incident = {
      id: 'checkout-1',
      title: 'checkout: Error rate above 5%',
      service: 'checkout',
      severity: 'critical' as const,
      status: 'resolved' as const,
      openedAt: '2026-11-26T14:10:00.000Z',
      mttaSeconds: 420,
      mttrSeconds: 1140,
      timeline: [
        { at: '2026-11-26T14:10:00.000Z', kind: 'opened' as const, by: 'vigil', detail: 'alarm-x' },
        { at: '2026-11-26T14:10:01.000Z', kind: 'mitigation-finished' as const, outcome: 'dry-run' as const },
        { at: '2026-11-26T14:17:00.000Z', kind: 'acknowledged' as const, by: 'alice' },
      ],
    };
    // Act
    const lines = incidentLines(incident);
    // Assert
    expect(lines).toEqual([
      '',
      'Incident checkout-1 (resolved): checkout: Error rate above 5%; MTTA 420 s, MTTR 1140 s',
      '  14:10:00  opened: alarm-x',
      '  14:10:01  mitigation-finished: dry-run',
      '  14:17:00  acknowledged: by alice',
    ]);
  });
});
