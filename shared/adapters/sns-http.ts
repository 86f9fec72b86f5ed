/**
 * SNS Publish over its query protocol (a signed form POST, an XML answer): the one SNS call the
 * Lambdas make, with the SDK's retries on throttling and 5xx.
 */
import type { AwsHttp } from './aws-http';
import { createAwsHttp } from './aws-http';
import { AwsServiceError, endpointOf, isRetryableRefusal, withRetries } from './aws-json';
import type { LeanAws } from './lean-aws';
import { uriEscape } from './sigv4';

/** What Publish takes (the parts this project uses). */
export interface PublishInput {
  readonly TopicArn: string;
  readonly Message: string;
  readonly Subject?: string;
  readonly MessageStructure?: 'json';
  readonly MessageAttributes?: Readonly<
    Record<string, { readonly DataType: 'String'; readonly StringValue: string }>
  >;
}

/** Publishes one message; resolves with its message id. */
export type SnsPublish = (input: PublishInput) => Promise<string>;

/** The form body of a Publish call. */
export function publishBody(input: PublishInput): string {
  const fields: [string, string][] = [
    ['Action', 'Publish'],
    ['Version', '2010-03-31'],
    ['TopicArn', input.TopicArn],
    ['Message', input.Message],
  ];
  if (input.Subject !== undefined) fields.push(['Subject', input.Subject]);
  if (input.MessageStructure !== undefined) fields.push(['MessageStructure', input.MessageStructure]);
  Object.entries(input.MessageAttributes ?? {}).forEach(([name, value], i) => {
    const at = `MessageAttributes.entry.${i + 1}`;
    fields.push(
      [`${at}.Name`, name],
      [`${at}.Value.DataType`, value.DataType],
      [`${at}.Value.StringValue`, value.StringValue],
    );
  });
  // RFC 3986 encoding, as the SDK sends query-protocol bodies.
  return fields.map(([k, v]) => `${uriEscape(k)}=${uriEscape(v)}`).join('&');
}

function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Options of {@link createSnsPublish}. */
export interface SnsPublishOptions {
  readonly http?: AwsHttp;
  /** Attempts per publish. @default 3 */
  readonly maxAttempts?: number;
  /** Per attempt. @default 5000 */
  readonly timeoutMs?: number;
  /** Waits between attempts. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** An SNS publisher for one Lambda. */
export function createSnsPublish(aws: LeanAws, options: SnsPublishOptions = {}): SnsPublish {
  const endpoint = endpointOf('sns', aws.region, aws.env);
  const http =
    options.http ??
    createAwsHttp({
      service: 'sns',
      region: aws.region,
      credentials: aws.credentials,
      timeoutMs: options.timeoutMs ?? 5_000,
    });
  const around = aws.around?.('SNS');
  const attempt = async (body: string): Promise<string> => {
    const answer = await http({
      method: 'POST',
      url: endpoint,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    });
    if (answer.status >= 200 && answer.status < 300) {
      const id = xmlText(answer.body, 'MessageId');
      if (id === undefined) {
        throw new AwsServiceError('InvalidResponse', 'Publish: answer has no MessageId', {
          status: answer.status,
          retryable: false,
        });
      }
      return id;
    }
    const code = xmlText(answer.body, 'Code') ?? (answer.status >= 500 ? 'InternalFailure' : 'Unknown');
    const message = xmlText(answer.body, 'Message') ?? `HTTP ${answer.status}`;
    throw new AwsServiceError(code, `Publish: ${code}: ${message}`, {
      status: answer.status,
      retryable: isRetryableRefusal(code, answer.status),
      body: answer.body,
    });
  };
  const publish = (input: PublishInput): Promise<string> => {
    const body = publishBody(input);
    return withRetries(() => attempt(body), options.maxAttempts ?? 3, options.sleep);
  };
  return around ? (input) => around('Publish', () => publish(input)) : publish;
}
