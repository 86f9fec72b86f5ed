import type { Channel, Labels } from './alert';
import type { Matcher } from './matchers';
import { matchesAll } from './matchers';

/** A node of the routing tree (Alertmanager semantics: first matching child wins unless `continue`). */
export interface RouteNode {
  /** Receiver name; children inherit their parent's when unset. */
  readonly receiver?: string;
  readonly matchers: readonly Matcher[];
  /** Keep looking at later siblings after this route matched. */
  readonly continue: boolean;
  readonly routes: readonly RouteNode[];
}

/** A receiver: the channels a notification fans out to. */
export interface Receiver {
  readonly channels: readonly Channel[];
}

/** Result of routing one alert: matched receivers and the union of their channels. */
export interface RouteResult {
  readonly receivers: readonly string[];
  readonly channels: readonly Channel[];
}

function walk(node: RouteNode, labels: Labels, inherited: string | undefined, out: string[]): boolean {
  if (!matchesAll(node.matchers, labels)) return false;
  const receiver = node.receiver ?? inherited;
  let childMatched = false;
  for (const child of node.routes) {
    if (walk(child, labels, receiver, out)) {
      childMatched = true;
      if (!child.continue) break;
    }
  }
  if (!childMatched && receiver !== undefined) out.push(receiver);
  return true;
}

/** Routes an alert's labels through the tree; the root always matches, so the result is never empty. */
export function routeAlert(
  root: RouteNode,
  receivers: Readonly<Record<string, Receiver>>,
  labels: Labels,
): RouteResult {
  const names: string[] = [];
  walk({ ...root, matchers: [] }, labels, root.receiver, names);
  const unique = [...new Set(names)];
  const channels = new Set<Channel>();
  for (const name of unique) for (const ch of receivers[name]?.channels ?? []) channels.add(ch);
  return { receivers: unique, channels: [...channels] };
}
