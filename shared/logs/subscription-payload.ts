/** Decodes the gzip + base64 payload CloudWatch Logs sends to a subscription destination. */
import { gunzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { LogPayloadError } from './log-errors';
import '../domain/zod-locale';

const logEventSchema = z.object({
  // CONTROL_MESSAGE events carry an empty id.
  id: z.string(),
  // Epoch ms; beyond +-8.64e15 there is no date, and no CloudWatch event has one.
  timestamp: z.number().check(z.int(), z.gte(-8.64e15), z.lte(8.64e15)),
  message: z.string(),
});

const payloadSchema = z.object({
  messageType: z.enum(['DATA_MESSAGE', 'CONTROL_MESSAGE']),
  owner: z.string(),
  logGroup: z.string(),
  logStream: z.string(),
  subscriptionFilters: z.array(z.string()),
  logEvents: z.array(logEventSchema),
});

/** The decoded payload. */
export type SubscriptionPayload = z.infer<typeof payloadSchema>;
/** One event of a payload. */
export type SubscriptionLogEvent = z.infer<typeof logEventSchema>;

/** Default cap on decompressed size; CloudWatch batches are at most about 1 MiB uncompressed. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;

/**
 * The bytes of standard base64 text, or `undefined` when it is not. Node's decoder skips
 * characters outside the alphabet, so a text with any of them decodes to fewer bytes than its
 * length promises: comparing the two checks every character without a pass of our own.
 */
function fromBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== (text.length / 4) * 3 - padding) return undefined;
  // `-` and `_` (base64url) decode too; CloudWatch never sends them, and a stray one is no base64.
  if (text.includes('-') || text.includes('_')) return undefined;
  return bytes;
}

/**
 * Decodes `awslogs.data`. Decompression stops at `maxBytes`, so a gzip bomb fails fast
 * instead of exhausting memory. Throws {@link LogPayloadError} naming what is wrong.
 */
export function decodeSubscriptionPayload(
  data: string,
  maxBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): SubscriptionPayload {
  let compressed = fromBase64(data);
  // Line-wrapped base64 is still base64; look for white space only when the plain read failed.
  if (compressed === undefined && /\s/.test(data)) compressed = fromBase64(data.replace(/\s+/g, ''));
  if (compressed === undefined) throw new LogPayloadError('NOT_BASE64', 'awslogs.data is not base64');
  if (compressed.length < 2 || compressed[0] !== 0x1f || compressed[1] !== 0x8b) {
    throw new LogPayloadError('NOT_GZIP', 'awslogs.data is not gzip (missing gzip magic bytes)');
  }
  let json: Buffer;
  try {
    json = gunzipSync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new LogPayloadError('TOO_LARGE', `awslogs.data decompresses to more than ${maxBytes} bytes`, {
        cause: error,
      });
    }
    throw new LogPayloadError('NOT_GZIP', 'awslogs.data is corrupt gzip', { cause: error });
  }
  let text: string;
  try {
    // CloudWatch Logs only carries UTF-8; replacing bad bytes would silently change the lines.
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch (error) {
    throw new LogPayloadError('NOT_UTF8', 'awslogs.data is not valid UTF-8', { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LogPayloadError('NOT_JSON', 'awslogs.data does not hold JSON', { cause: error });
  }
  const result = payloadSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new LogPayloadError('BAD_SHAPE', `awslogs.data is not a CloudWatch Logs payload${where}`, {
      cause: result.error,
    });
  }
  return result.data;
}
