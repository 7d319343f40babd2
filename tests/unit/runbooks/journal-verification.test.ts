import {
  describeJournal,
  type HeldVersion,
  MISSING_CAP,
  mergeMissing,
  missingReason,
  missingWrite,
  startJournalVerification,
  verificationStart,
} from '../../../services/runbooks/decisions/journal-verification';
import type { JournalEntry } from '../../../shared/write-journal/model';
import { journalBucket, journalBuckets, nextJournalBucket } from '../../../shared/write-journal/model';

const put = (writeId: string, objects?: JournalEntry['objects']): JournalEntry => ({
  item: { pk: 'PHOTO#p', sk: 'PHOTO' },
  op: 'put',
  writeId,
  stateVersion: 3,
  at: '2026-12-01T10:00:00.000Z',
  region: 'us-east-1',
  ...(objects ? { objects } : {}),
});
const del = (writeId: string, objects?: JournalEntry['objects']): JournalEntry => ({ ...put(writeId, objects), op: 'delete' });
const held = (itemWriteId: string | null, tombstoneWriteId: string | null = null): HeldVersion => ({ itemWriteId, tombstoneWriteId });
const noObjects = () => null;

describe('missingReason: is this journalled write in the target?', () => {
  it.each<[string, JournalEntry, HeldVersion, string | null]>([
    ['the same write', put('w2'), held('w2'), null],
    ['a later write of the item', put('w2'), held('w3'), null],
    ['deleted since', put('w2'), held(null, 'w3'), null],
    ['absent', put('w2'), held(null), 'item not in the target'],
    ['an older version', put('w2'), held('w1'), 'the target holds an older version of the item'],
    ['a delete that arrived, tombstone included', del('w2'), held(null, 'w2'), null],
    ['a delete whose tombstone has not arrived', del('w2'), held(null), 'tombstone of the delete not in the target'],
    ['a delete not arrived', del('w2'), held('w1'), 'deleted item still in the target'],
    ['written again after the delete', del('w2'), held('w3'), null],
  ])('%s', (_name, entry, version, reason) => {
    expect(missingReason(entry, version, noObjects)).toBe(reason);
  });

  it('checks the photo object of the item’s latest write by ETag, and a removed object’s absence', () => {
    const listed = put('w2', [{ key: 'photos/p', etag: '"abc"' }]);
    expect(missingReason(listed, held('w2'), () => 'abc')).toBeNull();
    expect(missingReason(listed, held('w2'), () => null)).toBe('photo object photos/p not in the target');
    expect(missingReason(listed, held('w2'), () => 'zzz')).toBe('photo object photos/p differs in the target');
    expect(missingReason(listed, held('w2'), () => undefined)).toBe('photo object photos/p could not be checked');
    // A later write of the item may have replaced the object: not this entry's to check.
    expect(missingReason(listed, held('w3'), () => null)).toBeNull();
    const removed = del('w2', [{ key: 'photos/p', etag: null }]);
    expect(missingReason(removed, held(null, 'w2'), () => 'abc')).toBe('removed photo object photos/p still in the target');
    expect(missingReason(removed, held(null, 'w2'), () => null)).toBeNull();
  });
});

describe('journal verification bookkeeping', () => {
  it('starts just before the last verified point, or as far back as the journal keeps', () => {
    const now = Date.parse('2026-12-01T10:00:00.000Z');
    expect(verificationStart('2026-12-01T09:58:00.000Z', now, 3600)).toBe('2026-12-01T09:57:00.000Z');
    expect(verificationStart(null, now, 3600)).toBe('2026-12-01T09:00:00.000Z');
    expect(verificationStart('2026-11-30T00:00:00.000Z', now, 3600)).toBe('2026-12-01T09:00:00.000Z');
    expect(startJournalVerification({ since: '2026-12-01T09:57:10.000Z', until: null }).cursors.photos).toEqual({
      bucket: 'JOURNAL#2026-12-01T09:57',
      afterSk: null,
    });
  });

  it('keeps only the latest missing write of an item', () => {
    const merged = mergeMissing([missingWrite('photos', put('w1'), 'x')], [missingWrite('photos', put('w2'), 'y')]);
    expect(merged.map((m) => m.writeId)).toEqual(['w2']);
    expect(mergeMissing(merged, [missingWrite('photos', put('w1'), 'z')]).map((m) => m.writeId)).toEqual(['w2']);
  });

  it('lists what is missing in its description', () => {
    const progress = {
      ...startJournalVerification({ since: '2026-12-01T09:00:00.000Z', until: null }),
      missing: [missingWrite('photos', put('w2'), 'item not in the target')],
    };
    expect(describeJournal(progress, 'us-west-2')).toMatch(/1 still missing: photos PHOTO#p\/PHOTO put at .* \(item not in the target\)/);
    expect(MISSING_CAP).toBeGreaterThan(0);
  });

  it('walks journal partitions minute by minute', () => {
    expect(journalBucket('2026-12-01T10:59:59.999Z')).toBe('JOURNAL#2026-12-01T10:59');
    expect(nextJournalBucket('JOURNAL#2026-12-01T23:59')).toBe('JOURNAL#2026-12-02T00:00');
    expect(journalBuckets('2026-12-01T10:58:30.000Z', '2026-12-01T11:00:00.000Z')).toEqual([
      'JOURNAL#2026-12-01T10:58',
      'JOURNAL#2026-12-01T10:59',
      'JOURNAL#2026-12-01T11:00',
    ]);
  });
});
