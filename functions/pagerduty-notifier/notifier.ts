import type { Severity } from '../../shared/domain/alert';
import type { LinkOptions } from '../../shared/domain/format/links';
import type { Clock, DeadLetterSink, Log } from '../../shared/domain/ports';
import { createForwarder, type ForwardReport, type ForwarderContext } from '../../shared/delivery/forwarder';
import { createHttpClient, type JsonPost, type JsonPostResult } from '../../shared/delivery/http-client';
import type { DeliveryLedger } from '../../shared/delivery/ledger';
import { createPagerDutyDelivery, pagesAt } from '../../shared/delivery/pagerduty-delivery';

/** Ports of the PagerDuty forwarder; tests pass a local Events API, fake secrets, dynalite and a fixed clock. */
export interface PagerDutyNotifierDeps {
  /** Reads the integration routing key secret. */
  readonly routingKey: () => Promise<string>;
  readonly ledger: DeliveryLedger;
  readonly deadLetter: DeadLetterSink;
  readonly log: Log;
  readonly clock: Clock;
  /** Firing notifications below this severity do not page. @default 'critical' */
  readonly minSeverity?: Severity;
  /** @default the US Events API v2 endpoint */
  readonly eventsUrl?: string;
  /** @default a client with the default retry policy */
  readonly post?: (post: JsonPost) => Promise<JsonPostResult>;
  readonly links?: LinkOptions;
}

/** Builds the PagerDuty forwarder: SNS event in, one Events API v2 event per new notification. */
export function createPagerDutyNotifier(
  deps: PagerDutyNotifierDeps,
): (event: unknown, context: ForwarderContext) => Promise<ForwardReport> {
  return createForwarder({
    channel: 'pagerduty',
    deliver: createPagerDutyDelivery({
      routingKey: deps.routingKey,
      post: deps.post ?? createHttpClient(),
      eventsUrl: deps.eventsUrl,
      links: deps.links,
    }),
    accepts: pagesAt(deps.minSeverity ?? 'critical'),
    ledger: deps.ledger,
    deadLetter: deps.deadLetter,
    log: deps.log,
    clock: deps.clock,
  });
}
