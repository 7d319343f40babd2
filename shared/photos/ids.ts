// ULIDs (Crockford base32, 48-bit time + 80 random bits): sortable by creation time, so that
// comment keys alone give the oldest-first order, and safe in URLs and storage keys. No Node
// imports: the web app makes its Idempotency-Keys with the same code (web/src/main.ts).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** What every photo and comment id looks like. Anything else in a path is refused before it reaches storage. */
export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const randomBytes = (size: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(size));

export function newId(now: Date, random: (size: number) => Uint8Array = randomBytes): string {
  let time = now.getTime();
  let timePart = '';
  for (let i = 0; i < 10; i += 1) {
    timePart = ALPHABET.charAt(time % 32) + timePart;
    time = Math.floor(time / 32);
  }
  const bytes = random(10);
  // 80 random bits as 16 base32 digits: 5 bits at a time from a bit buffer.
  let randomPart = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      randomPart += ALPHABET.charAt((buffer >> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  return timePart + randomPart;
}

/** Epoch ms of a ULID's time part. */
export function ulidTime(id: string): number {
  let time = 0;
  for (const char of id.slice(0, 10)) time = time * 32 + ALPHABET.indexOf(char);
  return time;
}
