/**
 * JSON that keeps NaN, Infinity and -Infinity: JSON.stringify writes them as `null`, which a
 * resumed run then reads back as a number that is not there. Here each is written as the tagged
 * value `{"$nonFinite": "NaN" | "Infinity" | "-Infinity"}` and read back as the number.
 */
const TAG = '$nonFinite';
const NAMES: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/** `value` as JSON with non-finite numbers tagged; `tagged` says whether there were any. */
export function stringifyLossless(value: unknown): { text: string; tagged: boolean } {
  let tagged = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'number' || Number.isFinite(v)) return v;
    tagged = true;
    return { [TAG]: String(v) };
  });
  return { text, tagged };
}

/** Parses JSON written by `stringifyLossless` (or plain JSON), turning tagged values back into numbers. */
export function parseLossless(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    if (keys.length !== 1 || keys[0] !== TAG) return v;
    const name = (v as Record<string, unknown>)[TAG];
    return typeof name === 'string' && name in NAMES ? NAMES[name] : v;
  });
}
