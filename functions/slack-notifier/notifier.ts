import type { SlackRenderOptions } from '../../shared/domain/format/slack';
import type { Clock, DeadLetterSink, Log } from '../../shared/domain/ports';
import { createForwarder, type ForwardReport, type ForwarderContext } from '../../shared/delivery/forwarder';
import { createHttpClient, type JsonPost, type JsonPostResult } from '../../shared/delivery/http-client';
import type { DeliveryLedger } from '../../shared/delivery/ledger';
import { createSlackDelivery } from '../../shared/delivery/slack-delivery';

/** Env var that turns the action buttons on (`true`) when the stage has the action endpoint. */
export const SLACK_ACTION_BUTTONS_ENV = 'SLACK_ACTION_BUTTONS';

/** Ports of the Slack forwarder; tests pass a local webhook, fake secrets, dynalite and a fixed clock. */
export interface SlackNotifierDeps {
  /** Reads the webhook URL secret. */
  readonly webhookUrl: () => Promise<string>;
  readonly ledger: DeliveryLedger;
  readonly deadLetter: DeadLetterSink;
  readonly log: Log;
  readonly clock: Clock;
  /** @default a client with the default retry policy */
  readonly post?: (post: JsonPost) => Promise<JsonPostResult>;
  /** Links and action buttons of the messages. */
  readonly links?: SlackRenderOptions;
}

/** Builds the Slack forwarder: SNS event in, one webhook post per new notification. */
export function createSlackNotifier(
  deps: SlackNotifierDeps,
): (event: unknown, context: ForwarderContext) => Promise<ForwardReport> {
  return createForwarder({
    channel: 'slack',
    deliver: createSlackDelivery({
      webhookUrl: deps.webhookUrl,
      post: deps.post ?? createHttpClient(),
      links: deps.links,
    }),
    ledger: deps.ledger,
    deadLetter: deps.deadLetter,
    log: deps.log,
    clock: deps.clock,
  });
}
