import { deriveServiceFromLogGroup, serviceForLogGroup } from '../../../shared/logs/log-group-service';

describe('deriveServiceFromLogGroup', () => {
  it.each([
    ['/aws/lambda/checkout-api', 'checkout-api'],
    ['/dokkerr/dev/checkout', 'checkout'],
    ['/ecs/orders', 'orders'],
    ['/dokkerr/dev/errors', undefined],
    ['/dokkerr/dev/access', undefined],
    ['/dokkerr/prod/system', undefined],
    ['/dokkerr/checkout/prod', undefined],
    ['/var/log/Messages', undefined],
    ['API-Gateway-Execution-Logs_a1b2c3/prod', undefined],
    ['/', undefined],
  ])('%s gives %p', (group, expected) => {
    // Arrange / Act / Assert
    expect(deriveServiceFromLogGroup(group)).toBe(expected);
  });
});

describe('serviceForLogGroup', () => {
  it('prefers the configured service and derives the rest', () => {
    // Arrange
    const configured = { '/dokkerr/dev/access': 'gateway' };
    // Act / Assert
    expect(serviceForLogGroup('/dokkerr/dev/access', configured)).toBe('gateway');
    expect(serviceForLogGroup('/dokkerr/dev/api', configured)).toBe('api');
    expect(serviceForLogGroup('toString', configured)).toBe('toString');
  });
});
