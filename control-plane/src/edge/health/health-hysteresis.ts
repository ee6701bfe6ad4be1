import type { NodeStatus } from '../../nodes/node.entity.js';

/**
 * Hysteresis for node health: one lost probe must not flap a node out of every player's pathway
 * list, and one lucky probe must not bring a sick node back. A node goes down after `downAfter`
 * consecutive failures and comes back after `upAfter` consecutive successes; an unknown node
 * (just added, or the control plane just started) is decided by its first probe.
 */
export interface HealthThresholds {
  downAfter: number;
  upAfter: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { downAfter: 3, upAfter: 2 };

export interface HealthState {
  status: NodeStatus;
  /** Consecutive probes that disagreed with `status` so far. */
  streak: number;
}

export function nextHealth(state: HealthState, probeOk: boolean, thresholds: HealthThresholds = DEFAULT_THRESHOLDS): HealthState {
  if (state.status === 'unknown') return { status: probeOk ? 'up' : 'down', streak: 0 };
  const agrees = (state.status === 'up') === probeOk;
  if (agrees) return { status: state.status, streak: 0 };
  const streak = state.streak + 1;
  const needed = state.status === 'up' ? thresholds.downAfter : thresholds.upAfter;
  return streak >= needed ? { status: probeOk ? 'up' : 'down', streak: 0 } : { status: state.status, streak };
}

/** "Active connections: 3" from nginx's stub_status; null when the text is not stub_status. */
export function activeConnectionsOf(stubStatus: string): number | null {
  const match = /^Active connections:\s*(\d+)/m.exec(stubStatus);
  return match ? Number(match[1]) : null;
}
