import type { Channel, Labels } from './alert';
import type { Matcher } from './matchers';
import { matchesAll } from './matchers';

/** One step of a delay-then-escalate policy: after `afterSeconds` unacknowledged, add channels. */
export interface EscalationStep {
  readonly afterSeconds: number;
  readonly channels: readonly Channel[];
}

/** Timing and grouping of a route; children inherit what they leave unset. */
export interface RouteTiming {
  /** Labels that split alerts into groups; `["..."]` groups by every label. */
  readonly groupBy?: readonly string[];
  /** Wait before the first notification of a new group; 0 sends from the alarm handler at once. */
  readonly groupWaitSeconds?: number;
  /** Wait between notifications about changes of a group. */
  readonly groupIntervalSeconds?: number;
  /** Re-send an unchanged, still firing, unacknowledged group after this long. */
  readonly repeatIntervalSeconds?: number;
  /** Delay-then-escalate steps for unacknowledged firing alerts. */
  readonly escalation?: readonly EscalationStep[];
}

/** A node of the routing tree (Alertmanager semantics: first matching child wins unless `continue`). */
export interface RouteNode extends RouteTiming {
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

/** Alertmanager's defaults. */
export const DEFAULT_TIMING = {
  groupBy: ['alertname'],
  groupWaitSeconds: 30,
  groupIntervalSeconds: 300,
  repeatIntervalSeconds: 14_400,
  escalation: [],
} as const satisfies Required<RouteTiming>;

/** A route an alert matched, with everything inherited resolved. */
export interface MatchedRoute {
  /** Path of the route in the tree, e.g. "root", "root.0", "root.0.1". */
  readonly routeId: string;
  readonly receiver: string;
  readonly channels: readonly Channel[];
  readonly groupBy: readonly string[];
  readonly groupWaitSeconds: number;
  readonly groupIntervalSeconds: number;
  readonly repeatIntervalSeconds: number;
  readonly escalation: readonly EscalationStep[];
}

/** Result of routing one alert: matched routes, receivers and the union of their channels. */
export interface RouteResult {
  readonly routes: readonly MatchedRoute[];
  readonly receivers: readonly string[];
  readonly channels: readonly Channel[];
}

interface Inherited extends Required<RouteTiming> {
  readonly receiver: string | undefined;
}

// Called only for a node that matched; children are tested before their id is built, so an
// alert costs one string per matched route rather than one per route visited.
function walk(
  node: RouteNode,
  id: string,
  labels: Labels,
  parent: Inherited,
  receivers: Readonly<Record<string, Receiver>>,
  out: MatchedRoute[],
): void {
  const here: Inherited = {
    receiver: node.receiver ?? parent.receiver,
    groupBy: node.groupBy ?? parent.groupBy,
    groupWaitSeconds: node.groupWaitSeconds ?? parent.groupWaitSeconds,
    groupIntervalSeconds: node.groupIntervalSeconds ?? parent.groupIntervalSeconds,
    repeatIntervalSeconds: node.repeatIntervalSeconds ?? parent.repeatIntervalSeconds,
    escalation: node.escalation ?? parent.escalation,
  };
  let childMatched = false;
  const children = node.routes;
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (child === undefined || !matchesAll(child.matchers, labels)) continue;
    walk(child, `${id}.${i}`, labels, here, receivers, out);
    childMatched = true;
    if (!child.continue) break;
  }
  if (!childMatched && here.receiver !== undefined) {
    const { receiver, ...timing } = here;
    out.push({ routeId: id, receiver, channels: receivers[receiver]?.channels ?? [], ...timing });
  }
}

/**
 * The branch of the tree a route belongs to: the root's child it descends from (`root.1` for
 * `root.1.0`), or `root` itself. Storm mode counts and speaks per branch, so child routes that only
 * refine who hears a severity (one per rule, say) storm together rather than each alone.
 */
export function stormScopeOf(routeId: string): string {
  const second = routeId.indexOf('.', routeId.indexOf('.') + 1);
  return second < 0 ? routeId : routeId.slice(0, second);
}

/** Routes an alert's labels through the tree; the root always matches, so the result is never empty. */
export function routeAlert(
  root: RouteNode,
  receivers: Readonly<Record<string, Receiver>>,
  labels: Labels,
): RouteResult {
  const routes: MatchedRoute[] = [];
  walk(root, 'root', labels, { ...DEFAULT_TIMING, receiver: root.receiver }, receivers, routes);
  const channels = new Set<Channel>();
  for (const r of routes) for (const ch of r.channels) channels.add(ch);
  return { routes, receivers: [...new Set(routes.map((r) => r.receiver))], channels: [...channels] };
}

/** The labels that identify an alert's group on a route (`...` means all labels). */
export function groupLabelsOf(route: MatchedRoute, labels: Labels): Record<string, string> {
  if (route.groupBy.includes('...')) return { ...labels };
  return Object.fromEntries(route.groupBy.map((l) => [l, labels[l] ?? '']));
}

/** Stable key of a group: route id plus its sorted group labels. */
export function groupKeyOf(route: MatchedRoute, labels: Labels): string {
  // The same string as sorting the keys of groupLabelsOf(route, labels), without building it.
  const names = route.groupBy.includes('...') ? Object.keys(labels) : [...new Set(route.groupBy)];
  names.sort();
  let parts = '';
  for (const name of names) {
    parts += `${parts === '' ? '' : ','}${name}=${JSON.stringify(labels[name] ?? '')}`;
  }
  return `${route.routeId}:{${parts}}`;
}
