import type { RegionHealth, StateSnapshot } from '../../../services/runbooks/model';

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-west-2';
export const NOW = new Date('2030-01-01T12:00:00.000Z');

export function state(overrides: Partial<StateSnapshot> = {}): StateSnapshot {
  return {
    appId: 'switchyard',
    state: 'active',
    activeRegion: PRIMARY,
    primaryRegion: PRIMARY,
    secondaryRegion: SECONDARY,
    version: 4,
    updatedAt: '2029-12-31T00:00:00.000Z',
    updatedBy: 'oncall:alice',
    reason: 'drill',
    fence: null,
    writesResumeAt: null,
    ...overrides,
  };
}

export const healthy: RegionHealth = {
  status: 'healthy',
  checkedAt: NOW.toISOString(),
  healthySince: '2029-12-31T00:00:00.000Z',
  detail: 'ok',
};
export const unknownHealth: RegionHealth = { status: 'unknown', checkedAt: null, healthySince: null, detail: 'no probe record' };
export const unhealthy: RegionHealth = { status: 'unhealthy', checkedAt: NOW.toISOString(), healthySince: null, detail: 'api 503' };

export const secondsBefore = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
