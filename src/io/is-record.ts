/** A parsed JSON object (not null, not an array): the first test on any file strays reads back. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
