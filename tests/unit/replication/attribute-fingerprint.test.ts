import { fingerprintOf, itemKeyOf, REMOVED } from '../../../local/replication/attribute-fingerprint';

describe('DynamoDB item fingerprints', () => {
  it('ignores attribute order and set member order', () => {
    // Prepare
    const a = { pk: { S: 'p' }, tags: { SS: ['x', 'y'] }, n: { NS: ['1', '2'] }, m: { M: { b: { N: '2' }, a: { BOOL: true } } } };
    const b = { m: { M: { a: { BOOL: true }, b: { N: '2' } } }, n: { NS: ['2', '1'] }, tags: { SS: ['y', 'x'] }, pk: { S: 'p' } };

    // Act / Assess
    expect(fingerprintOf(a)).toBe(fingerprintOf(b));
  });

  it('tells apart items that differ in a value, a type or list order', () => {
    const base = fingerprintOf({ pk: { S: 'p' }, v: { N: '1' } });
    expect(fingerprintOf({ pk: { S: 'p' }, v: { N: '2' } })).not.toBe(base);
    expect(fingerprintOf({ pk: { S: 'p' }, v: { S: '1' } })).not.toBe(base);
    expect(fingerprintOf({ pk: { S: 'p' }, l: { L: [{ N: '1' }, { N: '2' }] } })).not.toBe(
      fingerprintOf({ pk: { S: 'p' }, l: { L: [{ N: '2' }, { N: '1' }] } }),
    );
  });

  it('compares binary attributes by content', () => {
    expect(fingerprintOf({ b: { B: new Uint8Array([1, 2]) } })).toBe(fingerprintOf({ b: { B: Uint8Array.from([1, 2]) } }));
    expect(fingerprintOf({ b: { B: new Uint8Array([1, 2]) } })).not.toBe(fingerprintOf({ b: { B: new Uint8Array([2, 1]) } }));
    // The wire form (base64) and the SDK's bytes of one value are one content.
    expect(fingerprintOf({ b: { B: 'AQI=' }, s: { BS: ['Aw=='] } })).toBe(
      fingerprintOf({ b: { B: new Uint8Array([1, 2]) }, s: { BS: [new Uint8Array([3])] } }),
    );
  });

  it('gives removals one fingerprint', () => {
    expect(fingerprintOf(undefined)).toBe(REMOVED);
    expect(fingerprintOf(null)).toBe(REMOVED);
  });

  it('keys an item by its key attributes whatever their order', () => {
    expect(itemKeyOf({ pk: { S: 'a' }, sk: { S: 'b' } })).toBe(itemKeyOf({ sk: { S: 'b' }, pk: { S: 'a' } }));
    expect(itemKeyOf({ pk: { S: 'a' }, sk: { S: 'b' } })).not.toBe(itemKeyOf({ pk: { S: 'a' }, sk: { S: 'c' } }));
  });

  it('rejects a value of no known type', () => {
    expect(() => fingerprintOf({ v: {} })).toThrow(TypeError);
  });
});
