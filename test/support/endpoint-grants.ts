/** Holds what the action endpoint asked of DynamoDB against what its role is granted. */
import { ACTION_ENDPOINT_TABLE_GRANTS } from '../../infra/constructs/action-endpoint';
import type { ActionHarness, DynamoCall } from './action-harness';

/** The requests no statement of the endpoint's role allows, as `Action pk` lines. */
export function ungrantedCalls(calls: readonly DynamoCall[]): string[] {
  const allowed = (call: DynamoCall): boolean =>
    call.index === undefined &&
    ACTION_ENDPOINT_TABLE_GRANTS.some(
      (grant) =>
        grant.actions.includes(`dynamodb:${call.action}`) &&
        grant.keyPrefixes.some((prefix) => call.pk?.startsWith(prefix) === true),
    );
  return calls
    .filter((call) => !allowed(call))
    .map((call) => `${call.action} ${call.pk ?? '(no key)'}${call.index ? ` on ${call.index}` : ''}`);
}

/** Each distinct request kind, e.g. `GetItem ALERT#`: the key prefix up to and including `#`. */
export function callKinds(calls: readonly DynamoCall[]): string[] {
  const kinds = calls.map((c) => `${c.action} ${(c.pk ?? '(no key)').replace(/#.*$/, '#')}`);
  return [...new Set(kinds)].sort();
}

/**
 * Stops the harness after its tests and fails them when, whatever the requests were, the endpoint
 * asked DynamoDB for anything its role is not granted.
 */
export async function stopCheckingGrants(h: ActionHarness): Promise<void> {
  const ungranted = ungrantedCalls(h.endpointCalls);
  await h.stop();
  expect(ungranted).toEqual([]);
}
