/** Schemas of what reaches a forwarder: the SNS event and the Notification inside it. */
import * as z from 'zod/mini';
import '../domain/zod-locale';
import { CHANNELS, SEVERITIES } from '../domain/alert';
import type { Notification } from '../domain/notification';
import { NOTIFICATION_REASONS } from '../domain/notification';

const status = z.enum(['firing', 'resolved']);
const optionalText = z.optional(z.string());

const notifiedAlertSchema = z.object({
  fingerprint: z.string(),
  alarmName: z.string(),
  ruleId: optionalText,
  status,
  severity: z.enum(SEVERITIES),
  labels: z.record(z.string(), z.string()),
  annotations: z.object({
    summary: z.string(),
    description: optionalText,
    runbookUrl: optionalText,
    alarmUrl: optionalText,
    dashboardUrl: optionalText,
    reason: optionalText,
    traceId: optionalText,
    severityReason: optionalText,
  }),
  startsAt: z.string(),
  endsAt: optionalText,
  value: z.optional(z.number()),
  threshold: z.optional(z.number()),
  unit: optionalText,
  comparison: optionalText,
  region: optionalText,
  alarmArn: optionalText,
});

/** A Notification as the core publishes it. */
// Loose: fields added to Notification later travel on (e.g. into dead-letter records) instead of being dropped.
export const notificationSchema: z.ZodMiniType<Notification> = z.looseObject({
  id: z.string().check(z.minLength(1)),
  channel: z.enum(CHANNELS),
  status,
  severity: z.enum(SEVERITIES),
  groupKey: z.string().check(z.minLength(1)),
  title: z.string(),
  alerts: z.array(notifiedAlertSchema),
  totalAlerts: z.number().check(z.int(), z.nonnegative()),
  diagnostics: optionalText,
  links: z.object({ dashboard: optionalText, runbook: optionalText, alarm: optionalText }),
  digest: z.optional(
    z.object({
      firing: z.number(),
      resolved: z.number(),
      newInWindow: z.number(),
      byService: z.record(z.string(), z.number()),
      bySeverity: z.record(z.string(), z.number()),
      topOffenders: z.array(z.object({ name: z.string(), count: z.number() })),
      alertNames: z._default(z.array(z.string()), []),
      id: z._default(z.string(), 'unknown'),
      total: z._default(z.number().check(z.int(), z.nonnegative()), 0),
      listCommand: z._default(z.string(), ''),
      consoleUrl: optionalText,
      listUrl: optionalText,
      escalated: z.optional(z.number()),
      sinceStart: z.optional(z.object({ since: z.string(), firing: z.number(), resolved: z.number() })),
    }),
  ),
  // An unknown reason must not cost the delivery: it is only shown as context.
  reason: z.catch(z.optional(z.enum(NOTIFICATION_REASONS)), undefined),
  createdAt: z.string(),
  stage: z.string(),
});

/** One SNS record delivered to a Lambda subscription. */
export const snsRecordSchema = z.object({
  EventSource: z.literal('aws:sns'),
  Sns: z.object({
    MessageId: z.string(),
    TopicArn: z.string(),
    Message: z.string(),
    Timestamp: z.string(),
  }),
});

/** The event SNS invokes a Lambda subscription with. */
export const snsEventSchema = z.object({ Records: z.array(snsRecordSchema).check(z.minLength(1)) });

/** A parsed SNS record. */
export type SnsRecord = z.infer<typeof snsRecordSchema>;

/** Parses the `lambda` body of an SNS message into a Notification, or explains why it is not one. */
export function parseNotification(
  message: string,
): { ok: true; notification: Notification } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'message is not JSON' };
  }
  const parsed = notificationSchema.safeParse(json);
  if (parsed.success) return { ok: true, notification: parsed.data };
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, reason: `not a notification: ${issues.join('; ')}` };
}
