import { SNIFF_LENGTH, sniffImageType } from '../../../services/photos/image-type';

const bytes = (...values: Array<number | string>): Uint8Array =>
  Uint8Array.from(values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])));

describe('sniffImageType', () => {
  it.each([
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'JFIF', 0)],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe1, 0x12, 0x34, 'Exif', 0, 0)],
    ['image/png', bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d)],
    ['image/gif', bytes('GIF87a', 1, 0, 1, 0, 0, 0)],
    ['image/gif', bytes('GIF89a', 1, 0, 1, 0, 0, 0)],
    ['image/webp', bytes('RIFF', 0x24, 0, 0, 0, 'WEBP')],
  ])('recognises %s by its magic number', (expected, sample) => {
    // Prepare: sample holds the first bytes of a real file of that type

    // Act
    const sniffed = sniffImageType(sample);

    // Assess
    expect(sniffed).toBe(expected);
  });

  it.each([
    ['a text file', bytes('hello, I am not a jpeg')],
    ['HTML', bytes('<!doctype html><script>')],
    ['an SVG (allowed by no rule: it can carry script)', bytes('<svg xmlns="http://')],
    ['a RIFF that is not WebP (WAV)', bytes('RIFF', 0x24, 0, 0, 0, 'WAVE')],
    ['a truncated PNG signature', bytes(0x89, 'PNG', 0x0d, 0x0a)],
    ['a GIF of an unknown version', bytes('GIF90a', 0, 0, 0, 0, 0, 0)],
    ['two bytes of JPEG', bytes(0xff, 0xd8)],
    ['nothing', new Uint8Array()],
    ['a PDF', bytes('%PDF-1.7', 0x0a, 0, 0, 0)],
  ])('refuses %s', (_label, sample) => {
    // Prepare / Act
    const sniffed = sniffImageType(sample);

    // Assess
    expect(sniffed).toBeUndefined();
  });

  it('needs no more bytes than SNIFF_LENGTH for any allowed type', () => {
    // Prepare: the longest signature (WebP) cut to exactly SNIFF_LENGTH bytes
    const webp = bytes('RIFF', 0x24, 0, 0, 0, 'WEBP', 'VP8 ').slice(0, SNIFF_LENGTH);

    // Act / Assess
    expect(sniffImageType(webp)).toBe('image/webp');
    expect(sniffImageType(webp.slice(0, SNIFF_LENGTH - 1))).toBeUndefined();
  });
});
