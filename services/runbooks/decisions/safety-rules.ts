// Rules every runbook applies before touching the state. Pure: the precondition steps gather
// the facts (state, SSM kill switch, last automatic run, probe records) and these decide.
import type { RefusalError } from '../errors';
import type { Refusal, RegionHealth, RunbookPlan, StateSnapshot } from '../model';

export function refusal(rule: string, error: RefusalError, message: string, overridable = false): Refusal {
  return { rule, error, message, overridable };
}

/** An operator who read version N must not act on version N+1 (someone else acted meanwhile). */
export function staleVersionRefusal(state: StateSnapshot, expectedVersion: number | null): Refusal | null {
  if (expectedVersion === null || expectedVersion === state.version) return null;
  return refusal(
    'expected-version',
    'StaleStateVersion',
    `Expected state version ${expectedVersion} but it is ${state.version} (${state.state}, updated ${state.updatedAt} by ${state.updatedBy}). Check the status and run again.`,
  );
}

export interface AutomaticRunFacts {
  automatic: boolean;
  force: boolean;
  /** Value of /switchyard/<stage>/auto-failover; null when missing or unreadable. */
  killSwitch: string | null;
  lastAutomaticFailoverAt: string | null;
  minSecondsBetweenAutoFailovers: number;
  /** When the alarm that started the run fired (the EventBridge event's time); null when not given. */
  detectedAt: string | null;
  /** thresholds.autoFailoverMaxAlarmAgeSeconds of the stage. */
  maxAlarmAgeSeconds: number;
  now: Date;
}

/**
 * An automatic run acts on an alarm only while the alarm is recent: EventBridge retries a failed
 * start for as long as its retry policy allows, a message may be re-driven from the rule's
 * dead-letter queue, and an ungraceful failover started long after the alarm may fail over from
 * a primary that has recovered since. An automatic run without detectedAt cannot show its alarm
 * is recent and is refused too. Not overridable: a human runs the failover instead.
 */
export function staleAlarmRefusal(
  facts: Pick<AutomaticRunFacts, 'automatic' | 'detectedAt' | 'maxAlarmAgeSeconds' | 'now'>,
): Refusal | null {
  if (!facts.automatic) return null;
  const detected = facts.detectedAt === null ? Number.NaN : Date.parse(facts.detectedAt);
  if (Number.isNaN(detected)) {
    return refusal(
      'alarm-recent',
      'StaleAlarm',
      'This automatic run does not say when its alarm fired (detectedAt): it cannot show the alarm is recent; a human must decide.',
    );
  }
  // An alarm time slightly ahead of this clock (skew) counts as just now.
  const ageSeconds = Math.max(0, (facts.now.getTime() - detected) / 1000);
  if (ageSeconds <= facts.maxAlarmAgeSeconds) return null;
  return refusal(
    'alarm-recent',
    'StaleAlarm',
    // No " at " in the message: the report's describeFailure cuts a message there (stack frames).
    `The alarm that started this run fired ${Math.floor(ageSeconds)} s ago (${facts.detectedAt}); automatic runs act only on alarms up to ${facts.maxAlarmAgeSeconds} s old. Check the primary and run the failover by hand if it is still needed.`,
  );
}

/**
 * Automatic runs (requestedBy "alarm:…") need the kill switch explicitly "enabled" (a missing or
 * unreadable parameter counts as disabled: fail safe), a minimum delay since the previous
 * automatic failover, so a flapping alarm cannot bounce the application, and a recent alarm
 * (staleAlarmRefusal). None is overridable.
 */
export function automaticRunRefusals(facts: AutomaticRunFacts): Refusal[] {
  if (!facts.automatic) return [];
  const refusals: Refusal[] = [];
  if (facts.force) {
    refusals.push(
      refusal('no-force-when-automatic', 'ForceNotAllowed', 'An automatic run cannot override safety rules (force); a human must run it.'),
    );
  }
  if (facts.killSwitch !== 'enabled') {
    const seen = facts.killSwitch === null ? 'missing or unreadable' : `"${facts.killSwitch}"`;
    refusals.push(
      refusal('kill-switch', 'AutoFailoverDisabled', `Automatic failover is disabled: the auto-failover parameter is ${seen}.`),
    );
  }
  if (facts.lastAutomaticFailoverAt !== null) {
    const elapsedSeconds = (facts.now.getTime() - Date.parse(facts.lastAutomaticFailoverAt)) / 1000;
    if (elapsedSeconds < facts.minSecondsBetweenAutoFailovers) {
      refusals.push(
        refusal(
          'min-delay-between-automatic-runs',
          'AutoFailoverTooSoon',
          `The previous automatic failover was ${Math.floor(elapsedSeconds)} s ago (${facts.lastAutomaticFailoverAt}); automatic runs need ${facts.minSecondsBetweenAutoFailovers} s between them.`,
        ),
      );
    }
  }
  const stale = staleAlarmRefusal(facts);
  if (stale) refusals.push(stale);
  return refusals;
}

/**
 * The region to activate must be healthy by its own probe. Automatic runs need a positive
 * report; a human may proceed when the health is unknown (warned) and may override "unhealthy".
 */
export function targetHealthCheck(
  region: string,
  health: RegionHealth,
  automatic: boolean,
): { refusal: Refusal | null; warning: string | null } {
  if (health.status === 'healthy') return { refusal: null, warning: null };
  if (health.status === 'unknown') {
    if (automatic) {
      return {
        refusal: refusal(
          'target-healthy',
          'TargetRegionUnhealthy',
          `The health of ${region} is unknown (${health.detail}); automatic runs need a healthy probe record.`,
        ),
        warning: null,
      };
    }
    return { refusal: null, warning: `The health of ${region} is unknown (${health.detail}): check it yourself before relying on it.` };
  }
  return {
    refusal: refusal('target-healthy', 'TargetRegionUnhealthy', `${region} reports itself unhealthy (${health.detail}).`, !automatic),
    warning: null,
  };
}

/** Splits refusals into the ones that stand and the ones `force` overrode. */
export function applyForce(refusals: Refusal[], force: boolean): { standing: Refusal[]; overridden: Refusal[] } {
  if (!force) return { standing: refusals, overridden: [] };
  return { standing: refusals.filter((r) => !r.overridable), overridden: refusals.filter((r) => r.overridable) };
}

export function verdictOf(standing: Refusal[]): RunbookPlan['verdict'] {
  return standing.length === 0 ? 'proceed' : 'refuse';
}
