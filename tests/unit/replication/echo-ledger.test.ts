import { EchoLedger } from '../../../local/replication/echo-ledger';

const stamp = (ts: number) => ({ ts, region: 'us-west-2', seq: ts });

describe('EchoLedger (recognising the replicator’s own writes)', () => {
  it('matches a change with the same content in the same region and item, once', () => {
    // Prepare
    const ledger = new EchoLedger();
    const expectation = ledger.expect('us-east-1', 'item-1', 'content-a', stamp(1));

    // Act
    const first = ledger.match('us-east-1', 'item-1', 'content-a');
    const second = ledger.match('us-east-1', 'item-1', 'content-a');

    // Assess
    expect(first).toEqual(expectation);
    expect(second).toBeUndefined();
    expect(ledger.size).toBe(0);
  });

  it('does not take an application change for an echo', () => {
    // Prepare
    const ledger = new EchoLedger();
    ledger.expect('us-east-1', 'item-1', 'content-a', stamp(1));

    // Act / Assess
    expect(ledger.match('us-east-1', 'item-1', 'content-b')).toBeUndefined();
    expect(ledger.match('us-west-2', 'item-1', 'content-a')).toBeUndefined();
    expect(ledger.match('us-east-1', 'item-2', 'content-a')).toBeUndefined();
    expect(ledger.size).toBe(1);
  });

  it('drops earlier announcements that produced no change once a later one is echoed', () => {
    // Prepare
    const ledger = new EchoLedger();
    ledger.expect('r', 'k', 'v1', stamp(1));
    const second = ledger.expect('r', 'k', 'v2', stamp(2));
    ledger.expect('r', 'k', 'v3', stamp(3));

    // Act
    const matched = ledger.match('r', 'k', 'v2');

    // Assess
    expect(matched).toEqual(second);
    expect(ledger.size).toBe(1);
    expect(ledger.newestPending('r', 'k')).toEqual(stamp(3));
  });

  it('cancels a withdrawn write and reports whether it was still pending', () => {
    // Prepare
    const ledger = new EchoLedger();
    const expectation = ledger.expect('r', 'k', 'v1', stamp(1));

    // Act
    const cancelled = ledger.cancel(expectation);
    const again = ledger.cancel(expectation);

    // Assess
    expect(cancelled).toBe(true);
    expect(again).toBe(false);
    expect(ledger.isPending(expectation)).toBe(false);
    expect(ledger.match('r', 'k', 'v1')).toBeUndefined();
    expect(ledger.newestPending('r', 'k')).toBeUndefined();
  });
});
