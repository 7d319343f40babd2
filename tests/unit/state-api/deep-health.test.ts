import { deepHealth, probeView } from '../../../services/state-api/health';
import type { HealthRecord } from '../../../shared/health/record';

const NOW = new Date('2026-03-01T12:00:00.000Z');

const record = (region: string, over: Partial<HealthRecord> = {}): HealthRecord => ({
  pk: 'HEALTH#app',
  sk: region,
  region,
  status: 'healthy',
  checkedAt: '2026-03-01T11:59:55.000Z',
  healthySince: '2026-03-01T11:00:00.000Z',
  detail: 'all checks passed',
  checks: { table: { ok: true, latencyMs: 12 } },
  peer: { region: region === 'us-east-1' ? 'us-west-2' : 'us-east-1', healthy: true },
  replication: { from: 'us-west-2', tableAgeSeconds: 1.5, bucketAgeSeconds: 3 },
  ...over,
});

describe('probeView', () => {
  it('shows a fresh record as it is, with its age', () => {
    expect(probeView('us-east-1', record('us-east-1'), NOW, 30)).toMatchObject({ status: 'healthy', ageSeconds: 5 });
  });

  it('calls a stale record unknown: the probe itself may be down', () => {
    const view = probeView('us-east-1', record('us-east-1', { checkedAt: '2026-03-01T11:58:00.000Z' }), NOW, 30);
    expect(view).toMatchObject({ status: 'unknown', healthySince: null, ageSeconds: 120 });
    expect(view.detail).toMatch(/^probe record is 120 s old/);
  });

  it('says when there is no record yet', () => {
    expect(probeView('us-east-1', undefined, NOW, 30)).toMatchObject({ status: 'unknown', detail: 'no probe record yet' });
  });
});

describe('deepHealth', () => {
  const deps = (records: Record<string, HealthRecord | undefined>) => ({
    region: 'us-east-1',
    peerRegion: 'us-west-2',
    clock: () => NOW,
    staleSeconds: 30,
    readRecord: async (region: string) => records[region],
  });

  it('is ok when this region’s own probe found it healthy, and shows the peer and replication', async () => {
    const report = await deepHealth(deps({ 'us-east-1': record('us-east-1'), 'us-west-2': record('us-west-2') }));
    expect(report.status).toBe('ok');
    expect(report.probe.peer.status).toBe('healthy');
    expect(report.probe.peerAsSeenFromHere).toEqual({ healthy: true });
    expect(report.probe.replication).toEqual({ from: 'us-west-2', tableAgeSeconds: 1.5, bucketAgeSeconds: 3 });
  });

  it('is unhealthy when the own record says so or is missing, whatever the peer says', async () => {
    expect((await deepHealth(deps({ 'us-east-1': record('us-east-1', { status: 'unhealthy' }) }))).status).toBe('unhealthy');
    expect((await deepHealth(deps({ 'us-west-2': record('us-west-2') }))).status).toBe('unhealthy');
  });
});
