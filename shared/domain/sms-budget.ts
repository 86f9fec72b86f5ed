import type { Channel } from './alert';

/** While SMS is paused its messages go to email instead: redirected, never dropped. */
export function redirectPausedSms(channels: readonly Channel[], paused: boolean): Channel[] {
  return paused ? [...new Set(channels.map((c): Channel => (c === 'sms' ? 'email' : c)))] : [...channels];
}
