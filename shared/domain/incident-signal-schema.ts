/** The signal as it travels (SQS message body, kept backlog item): validated where it is read. */
import * as z from 'zod/mini';
import { CHANNELS, SEVERITIES } from './alert';
import type { IncidentSignal } from './incident-signal';
import './zod-locale';

const alertSchema = z.object({
  fingerprint: z.string().check(z.minLength(1)),
  alarmName: z.string(),
  ruleId: z.optional(z.string()),
  severity: z.enum(SEVERITIES),
  labels: z.record(z.string(), z.string()),
  annotations: z.object({ summary: z.string() }),
  episodeSeverities: z.optional(z.array(z.enum(SEVERITIES))),
});

const signalSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  kind: z.enum(['fired', 'resolved']),
  cause: z.enum(['fired', 'escalated']),
  service: z.string(),
  at: z.number(),
  stage: z.string(),
  alerts: z.array(alertSchema).check(z.minLength(1)),
  page: z.optional(
    z.object({
      id: z.string().check(z.minLength(1)),
      title: z.string(),
      severity: z.enum(SEVERITIES),
      reason: z.enum(['alert', 'group', 'repeat', 'escalation']),
      groupKey: z.string(),
      channels: z.array(z.enum(CHANNELS)),
      sentAt: z.number(),
    }),
  ),
});

/** A signal, or the reason the text is not one (naming the first bad field). */
export function parseSignal(
  text: string,
): { ok: true; signal: IncidentSignal } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'message body is not JSON' };
  }
  const parsed = signalSchema.safeParse(json);
  if (parsed.success) return { ok: true, signal: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return { ok: false, reason: `not an incident signal: ${where}: ${issue?.message ?? 'invalid'}` };
}
