import { decodeCursor, encodeCursor } from '../../../shared/photos/cursor';
import { InvalidCursor } from '../../../shared/photos/errors';
import { ID_PATTERN } from '../../../shared/photos/ids';
import * as z from '../../../shared/zod';

const position = z.strictObject({ listedAt: z.iso.datetime(), id: z.string().check(z.regex(ID_PATTERN)) });
const here = { listedAt: '2025-01-02T03:04:05.678Z', id: '01JH0000000000000000000000' };
const raw = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('pagination cursor', () => {
  it('round-trips a position within its scope', () => {
    // Prepare
    const cursor = encodeCursor('photos', here);

    // Act
    const decoded = decodeCursor(cursor, 'photos', position);

    // Assess
    expect(decoded).toEqual(here);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('is refused by another query (scope binding)', () => {
    // Prepare: a cursor of photo A's comments, replayed on photo B's
    const cursor = encodeCursor('comments:01JH000000000000000000000A', { id: '01JH0000000000000000000000' });

    // Act / Assess
    expect(() => decodeCursor(cursor, 'comments:01JH000000000000000000000B', z.strictObject({ id: z.string() }))).toThrow(InvalidCursor);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc$%^'],
    ['base64url of non-JSON', Buffer.from('not json').toString('base64url')],
    ['JSON of the wrong shape', raw({ hello: 'world' })],
    ['another version', raw({ v: 2, s: 'photos', p: here })],
    ['extra envelope fields', raw({ v: 1, s: 'photos', p: here, pk: 'PHOTO#x' })],
    ['a storage key smuggled into the position', raw({ v: 1, s: 'photos', p: { ...here, gsi1pk: 'OTHER' } })],
    ['a position id that is not an id', raw({ v: 1, s: 'photos', p: { ...here, id: '../../etc' } })],
    ['a position time that is not a time', raw({ v: 1, s: 'photos', p: { ...here, listedAt: 'yesterday' } })],
    ['oversized', 'A'.repeat(600)],
  ])('refuses a cursor that is %s', (_label, cursor) => {
    // Act / Assess
    expect(() => decodeCursor(cursor, 'photos', position)).toThrow(InvalidCursor);
  });
});
