import { addCommentBody } from '../../../services/comments/schemas';
import { COMMENT_RULES, normaliseText, TITLE_RULES } from '../../../shared/photos/text';

describe('comment text normalisation', () => {
  it.each([
    ['trims surrounding whitespace', '  hello  ', 'hello'],
    ['keeps inner line breaks, normalising CRLF', 'line one\r\nline two\rthree', 'line one\nline two\nthree'],
    ['keeps tabs', 'a\tb', 'a\tb'],
    ['stores HTML verbatim as text', '<b>bold</b> <script>alert(1)</script>', '<b>bold</b> <script>alert(1)</script>'],
    ['keeps emoji and other scripts', '写真 👍🏽 café', '写真 👍🏽 café'],
    ['composes to NFC', 'cafe\u0301', 'café'],
    ['keeps the zero-width joiner inside an emoji sequence', 'family 👨\u200d👩\u200d👧', 'family 👨\u200d👩\u200d👧'],
  ])('%s', (_label, raw, expected) => {
    // Act
    const result = normaliseText(raw, COMMENT_RULES);

    // Assess
    expect(result).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['empty', '', 'must not be empty'],
    ['only whitespace', ' \n\t ', 'must not be empty'],
    ['only zero-width characters', '\u200b\u200c\u200d\u2060\ufeff', 'must not be empty'],
    ['only format characters and spaces', '\u00ad \u200b\u3000\u180e', 'must not be empty'],
    ['only a Hangul filler', '\u3164', 'must not be empty'],
    ['a NUL byte', 'a\u0000b', 'contains control characters'],
    ['an escape sequence', 'a\u001b[31mred', 'contains control characters'],
    ['a C1 control', 'a\u0085b', 'contains control characters'],
    ['a bidirectional override', 'abc\u202edcba', 'contains bidirectional control characters'],
    ['an unpaired surrogate', 'a\ud800b', 'contains an unpaired surrogate'],
    ['2001 characters', 'x'.repeat(2001), 'must be at most 2000 characters'],
  ])('refuses %s', (_label, raw, reason) => {
    // Act
    const result = normaliseText(raw, COMMENT_RULES);

    // Assess
    expect(result).toEqual({ ok: false, reason });
  });

  it('counts characters, not UTF-16 units: 2000 emoji fit', () => {
    // Prepare: each emoji is two UTF-16 code units
    const raw = '😀'.repeat(2000);

    // Act
    const result = normaliseText(raw, COMMENT_RULES);

    // Assess
    expect(result.ok).toBe(true);
  });

  it('keeps titles on one line', () => {
    // Act / Assess
    expect(normaliseText('two\nlines', TITLE_RULES)).toEqual({ ok: false, reason: 'must be a single line' });
    expect(normaliseText('', TITLE_RULES)).toEqual({ ok: true, value: '' });
    expect(normaliseText('\u200b\u200b', TITLE_RULES)).toEqual({ ok: false, reason: 'must not be made of invisible characters only' });
  });

  it('the request schema reports the reason without echoing the text', () => {
    // Prepare
    const secretLooking = `<img src=x onerror=alert(1)>${'\u0000'}`;

    // Act
    const parsed = addCommentBody.safeParse({ text: secretLooking });

    // Assess
    expect(parsed.success).toBe(false);
    const messages = parsed.error?.issues.map((i) => i.message).join(' ') ?? '';
    expect(messages).toContain('contains control characters');
    expect(messages).not.toContain('onerror');
  });
});
