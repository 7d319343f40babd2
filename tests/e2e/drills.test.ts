// Short versions of three game-day drills, inside npm test: the full runs are `npm run drill`.
import path from 'node:path';
import { runDrill } from '../../local/drills/run';

const reportsDir = path.resolve(__dirname, '..', '..', 'test-artifacts', 'drills');
// Half the default load: inside npm test the drills share the machine with jest itself, and what
// they check here is the invariants, not throughput (`npm run drill` measures that).
const rate = 20;

describe('game-day drills (short)', () => {
  it('planned-failover: no acknowledged write lost, never two writable regions', async () => {
    const result = await runDrill({ scenario: 'planned-failover', short: true, reportsDir, rate });
    console.log(result.table);
    expect(result.figures.invariants.filter((i) => !i.ok)).toEqual([]);
    expect(result.figures.lostBeforeReconciliation.count).toBe(0);
    expect(result.figures.requests.writesAcked).toBeGreaterThan(0);
    expect(result.figures.runbooks.some((r) => r.machine === 'failover' && r.status === 'SUCCEEDED')).toBe(true);
  }, 180_000);

  it('region-outage: the alarm detects it and one automatic failover restores writes', async () => {
    const result = await runDrill({ scenario: 'region-outage', short: true, reportsDir, rate });
    console.log(result.table);
    expect(result.figures.invariants.filter((i) => !i.ok)).toEqual([]);
    expect(result.figures.detectionMs).not.toBeNull();
    // Writes came back in the secondary after the outage.
    expect(result.figures.writeOutage.ms).toBeGreaterThan(0);
    expect(result.figures.runbooks.filter((r) => r.machine === 'failover' && r.status === 'SUCCEEDED')).toHaveLength(1);
  }, 180_000);

  it('partition-primary: the secondary promotes by itself, the primary stops acknowledging before it does', async () => {
    const result = await runDrill({ scenario: 'partition-primary', short: true, reportsDir, rate });
    console.log(result.table);
    expect(result.figures.invariants.filter((i) => !i.ok)).toEqual([]);
    expect(result.figures.handovers).toHaveLength(1);
    expect(result.figures.handovers[0]).toMatchObject({ separated: true });
    expect(result.figures.versionForks).toEqual([]);
  }, 240_000);
});
