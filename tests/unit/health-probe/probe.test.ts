import { type Check, heartbeatAge, nextHealthySince, type ProbeDeps, runProbe, timedCheck } from '../../../services/health-probe/probe';
import { probeCadence } from '../../../services/health-probe/wiring';
import type { HealthRecord } from '../../../shared/health/record';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ok: Check = async () => undefined;
const failing =
  (message: string): Check =>
  async () =>
    Promise.reject(new Error(message));
const never: Check = (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

function deps(overrides: Partial<ProbeDeps> = {}) {
  const saved: HealthRecord[] = [];
  const published: unknown[][] = [];
  const problems: string[] = [];
  const d: ProbeDeps = {
    appId: 'app',
    region: 'us-west-2',
    peerRegion: 'us-east-1',
    clock: () => NOW,
    timeoutMs: 50,
    recordStaleSeconds: 30,
    heartbeatStaleSeconds: 20,
    selfChecks: { 'state-api': ok, table: ok, bucket: ok },
    peerChecks: { health: ok, 'state-api': ok },
    readings: {
      // Stale: a peer that fails its checks is down.
      peerQuorumHeartbeat: async () => '2026-03-01T11:50:00.000Z',
      ownRecord: async () => undefined,
      peerTableHeartbeat: async () => ({ checkedAt: '2026-03-01T11:59:58.000Z' }),
      peerBucketHeartbeat: async () => ({ checkedAt: '2026-03-01T11:59:55.500Z' }),
    },
    saveRecord: async (record) => {
      saved.push(record);
    },
    publish: async (data) => {
      published.push(data);
    },
    onProblem: (what) => problems.push(what),
    ...overrides,
  };
  return { d, saved, published, problems };
}

describe('timedCheck', () => {
  it('passes a check that resolves and times its latency', async () => {
    let t = 100;
    const outcome = await timedCheck(
      async () => {
        t += 7;
      },
      1000,
      () => t,
    );
    expect(outcome).toEqual({ ok: true, latencyMs: 7 });
  });

  it('fails a check that outlives its timeout, and aborts it', async () => {
    let aborted = false;
    const outcome = await timedCheck((signal) => {
      signal.addEventListener('abort', () => {
        aborted = true;
      });
      return new Promise(() => undefined);
    }, 20);
    expect(outcome).toMatchObject({ ok: false, error: 'CheckTimedOut: no answer within 20 ms' });
    expect(aborted).toBe(true);
  });

  it('names the error without a stack', async () => {
    const outcome = await timedCheck(failing('connect ECONNREFUSED 127.0.0.1:4110'), 100);
    expect(outcome.error).toBe('Error: connect ECONNREFUSED 127.0.0.1:4110');
  });
});

describe('nextHealthySince', () => {
  const previous = { status: 'healthy' as const, checkedAt: '2026-03-01T11:59:50.000Z', healthySince: '2026-03-01T11:00:00.000Z' };

  it('carries the start of an unbroken healthy run forward', () => {
    expect(nextHealthySince(true, previous, NOW, 30)).toBe('2026-03-01T11:00:00.000Z');
  });

  it('restarts after an unhealthy record', () => {
    expect(nextHealthySince(true, { ...previous, status: 'unhealthy', healthySince: null }, NOW, 30)).toBe(NOW.toISOString());
  });

  it('restarts after a gap of more than three rounds (the probe itself stopped)', () => {
    expect(nextHealthySince(true, { ...previous, checkedAt: '2026-03-01T11:59:29.000Z' }, NOW, 30)).toBe(NOW.toISOString());
  });

  it('is null while unhealthy', () => {
    expect(nextHealthySince(false, previous, NOW, 30)).toBeNull();
  });
});

describe('heartbeatAge', () => {
  it('is the age of the heartbeat in seconds, to a tenth', () => {
    expect(heartbeatAge({ checkedAt: '2026-03-01T11:59:57.660Z' }, NOW)).toBe(2.3);
  });

  it('is null without a readable heartbeat, and never negative', () => {
    expect(heartbeatAge(undefined, NOW)).toBeNull();
    expect(heartbeatAge({ checkedAt: 'yesterday' }, NOW)).toBeNull();
    expect(heartbeatAge({ checkedAt: '2026-03-01T12:00:03.000Z' }, NOW)).toBe(0);
  });
});

describe('runProbe', () => {
  it('records a healthy region, the peer as seen from here and replication staleness', async () => {
    const { d, saved } = deps();
    const result = await runProbe(d);
    expect(result.selfHealthy).toBe(true);
    expect(result.peerHealthy).toBe(true);
    expect(saved).toEqual([result.record]);
    expect(result.record).toMatchObject({
      pk: 'HEALTH#app',
      sk: 'us-west-2',
      status: 'healthy',
      checkedAt: NOW.toISOString(),
      healthySince: NOW.toISOString(),
      detail: 'all checks passed',
      peer: { region: 'us-east-1', healthy: true },
      replication: { from: 'us-east-1', tableAgeSeconds: 2, bucketAgeSeconds: 4.5 },
    });
    expect(Object.keys(result.record.checks).sort()).toEqual(['bucket', 'peer-health', 'peer-state-api', 'state-api', 'table']);
  });

  it('records unhealthy from the second failed round in a row, and says which checks failed', async () => {
    const selfChecks = { 'state-api': ok, table: failing('ProvisionedThroughputExceeded'), bucket: never };
    const previous: HealthRecord = {
      ...(await runProbe(deps().d)).record,
      checkedAt: '2026-03-01T11:59:50.000Z',
      healthySince: '2026-03-01T11:00:00.000Z',
    };
    // One failed round after a healthy record: still healthy (a blip), but counted and explained.
    const first = await runProbe(deps({ selfChecks, readings: { ...deps().d.readings, ownRecord: async () => previous } }).d);
    expect(first.selfHealthy).toBe(false);
    expect(first.record).toMatchObject({ status: 'healthy', failedRounds: 1, healthySince: '2026-03-01T11:00:00.000Z' });
    // The second in a row: unhealthy.
    const again = { ...first.record, checkedAt: '2026-03-01T11:59:55.000Z' };
    const result = await runProbe(deps({ selfChecks, readings: { ...deps().d.readings, ownRecord: async () => again } }).d);
    expect(result.record.status).toBe('unhealthy');
    expect(result.record.failedRounds).toBe(2);
    expect(result.record.healthySince).toBeNull();
    expect(result.record.detail).toBe(
      'failed: table (Error: ProvisionedThroughputExceeded); bucket (CheckTimedOut: no answer within 50 ms)',
    );
  });

  it('keeps its own health apart from the peer’s', async () => {
    const { d } = deps({ peerChecks: { health: failing('ECONNREFUSED'), 'state-api': ok } });
    const result = await runProbe(d);
    expect(result).toMatchObject({ selfHealthy: true, peerHealthy: false });
    expect(result.record.status).toBe('healthy');
    expect(result.record.detail).toBe('failed: peer health (Error: ECONNREFUSED)');
  });

  describe('a peer it cannot reach', () => {
    const unreachable = { health: failing('ECONNREFUSED'), 'state-api': failing('ECONNREFUSED') };
    const withBeat = (peerQuorumHeartbeat: () => Promise<string | null>) =>
      deps({ peerChecks: unreachable, readings: { ...deps().d.readings, peerQuorumHeartbeat } }).d;

    it('is down only when its quorum heartbeat is stale too', async () => {
      const result = await runProbe(withBeat(async () => '2026-03-01T11:59:30.000Z'));
      expect(result.peerHealthy).toBe(false);
      expect(result.record.peer).toMatchObject({ healthy: false, reachable: false, heartbeatAt: '2026-03-01T11:59:30.000Z' });
    });

    it('is alive (a cut link) while it renews its heartbeat in the quorum', async () => {
      const result = await runProbe(withBeat(async () => '2026-03-01T11:59:55.000Z'));
      expect(result.peerHealthy).toBe(true);
      expect(result.record.peer).toMatchObject({ healthy: true, reachable: false });
    });

    it('is not reported down when this region cannot read the quorum itself', async () => {
      const result = await runProbe(withBeat(async () => Promise.reject(new Error('no quorum'))));
      expect(result.peerHealthy).toBe(true);
      expect(result.record.peer.heartbeatAt).toBe('unreadable');
    });

    it('that never beat is down', async () => {
      expect((await runProbe(withBeat(async () => null))).peerHealthy).toBe(false);
    });
  });

  it('never throws: failed readings, saves and publishes are reported', async () => {
    const { d, problems } = deps({
      readings: {
        peerQuorumHeartbeat: async () => Promise.reject(new Error('down')),
        ownRecord: async () => Promise.reject(new Error('down')),
        peerTableHeartbeat: async () => Promise.reject(new Error('down')),
        peerBucketHeartbeat: async () => undefined,
      },
      saveRecord: async () => Promise.reject(new Error('down')),
      publish: async () => Promise.reject(new Error('down')),
    });
    const result = await runProbe(d);
    expect(result.record.replication).toEqual({ from: 'us-east-1', tableAgeSeconds: null, bucketAgeSeconds: null });
    expect(problems.sort()).toEqual(['own record', 'peer quorum heartbeat', 'peer table heartbeat', 'publish metrics', 'save record']);
  });

  it('publishes high-resolution metrics the alarms can read', async () => {
    const { d, published } = deps({ peerChecks: { health: failing('x'), 'state-api': ok } });
    const result = await runProbe(d);
    expect(published).toEqual([result.metrics]);
    const byName = (name: string) => result.metrics.filter((m) => m.MetricName === name);
    for (const m of result.metrics) expect(m).toMatchObject({ StorageResolution: 1, Timestamp: NOW });
    expect(byName('SelfHealthy')).toEqual([
      expect.objectContaining({
        Value: 1,
        Unit: 'None',
        Dimensions: [
          { Name: 'AppId', Value: 'app' },
          { Name: 'Region', Value: 'us-west-2' },
        ],
      }),
    ]);
    expect(byName('PeerHealthy')).toEqual([
      expect.objectContaining({
        Value: 0,
        Dimensions: [
          { Name: 'AppId', Value: 'app' },
          { Name: 'Region', Value: 'us-west-2' },
          { Name: 'Peer', Value: 'us-east-1' },
        ],
      }),
    ]);
    expect(byName('CheckLatency')).toHaveLength(5);
    expect(byName('ReplicationLag').map((m) => [m.Value, m.Unit, m.Dimensions])).toEqual([
      [
        2,
        'Seconds',
        [
          { Name: 'AppId', Value: 'app' },
          { Name: 'From', Value: 'us-east-1' },
          { Name: 'To', Value: 'us-west-2' },
          { Name: 'Store', Value: 'table' },
        ],
      ],
      [
        4.5,
        'Seconds',
        [
          { Name: 'AppId', Value: 'app' },
          { Name: 'From', Value: 'us-east-1' },
          { Name: 'To', Value: 'us-west-2' },
          { Name: 'Store', Value: 'bucket' },
        ],
      ],
    ]);
  });
});

describe('probeCadence', () => {
  it('on AWS covers a minute of periods and one more, the schedule rate plus a period of overlap', () => {
    expect(probeCadence({ PROBE_INTERVAL_SECONDS: 10 })).toEqual({ periodMs: 10_000, coverMs: 70_000 });
    expect(probeCadence({ PROBE_INTERVAL_SECONDS: 60 })).toEqual({ periodMs: 60_000, coverMs: 120_000 });
  });

  it('runs one round per invocation locally, where the runtime fires it every interval', () => {
    expect(probeCadence({ PROBE_INTERVAL_SECONDS: 10, SWITCHYARD_LOCAL_SCHEDULE_MS: 1000 })).toEqual({ periodMs: 1000, coverMs: 0 });
  });
});
