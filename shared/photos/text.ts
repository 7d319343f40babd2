/**
 * User text (comments, titles) is stored and returned as plain text: no HTML processing, the
 * web app renders it as text. What is refused is what would make text misleading or unreadable
 * wherever it is shown: control characters, bidirectional overrides ("Trojan Source" spoofing),
 * and unpaired surrogates.
 */
export type TextCheck = { ok: true; value: string } | { ok: false; reason: string };

export interface TextRules {
  /** In code points, after trimming. */
  minLength: number;
  maxLength: number;
  multiline: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
// Tab and newline are the only control characters a multi-line text keeps.
const LINE_BREAK_OR_TAB = /[\n\t]/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// What renders as nothing: whitespace, format characters (zero-width space and joiners, word
// joiner, BOM, soft hyphen, tags…), variation selectors, the combining grapheme joiner, and the
// fillers and blank used to fake an empty text (Hangul fillers, braille blank). They are kept
// inside text (emoji sequences need the zero-width joiner), but text made only of them is empty.
const INVISIBLE = /[\s\p{Cf}\p{Zs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]|\u034f|\p{Variation_Selector}/gu;

export function normaliseText(raw: string, rules: TextRules): TextCheck {
  if (LONE_SURROGATE.test(raw)) return { ok: false, reason: 'contains an unpaired surrogate' };
  const value = raw.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  if (CONTROL.test(value)) return { ok: false, reason: 'contains control characters' };
  if (!rules.multiline && LINE_BREAK_OR_TAB.test(value)) return { ok: false, reason: 'must be a single line' };
  if (BIDI_CONTROL.test(value)) return { ok: false, reason: 'contains bidirectional control characters' };
  const length = [...value].length;
  if (length > 0 && value.replace(INVISIBLE, '') === '') {
    return { ok: false, reason: rules.minLength >= 1 ? 'must not be empty' : 'must not be made of invisible characters only' };
  }
  if (length < rules.minLength)
    return { ok: false, reason: rules.minLength === 1 ? 'must not be empty' : `must be at least ${rules.minLength} characters` };
  if (length > rules.maxLength) return { ok: false, reason: `must be at most ${rules.maxLength} characters` };
  return { ok: true, value };
}

export const COMMENT_RULES: TextRules = { minLength: 1, maxLength: 2000, multiline: true };
export const TITLE_RULES: TextRules = { minLength: 0, maxLength: 200, multiline: false };
