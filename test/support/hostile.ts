// Values an attacker puts where a field belongs, for the sweeps of every HTTP route and socket event.

// What the edge refuses wherever it is put: operator keys and broken text.
export const REFUSED_VALUES: unknown[] = [
  { $gt: '' },
  { $where: 'sleep(1000)' },
  ['a', { $ne: null }],
  '\u0000\ud800',
  'a\u0000b',
];
// What an attacker puts where a value belongs.
export const HOSTILE_VALUES: unknown[] = [
  ...REFUSED_VALUES,
  'x'.repeat(70_000),
  -1e308,
  null,
  true,
  Array.from({ length: 2000 }, () => 'a'),
  { nested: { deeper: { deepest: [[[[[[[[[[1]]]]]]]]]] } } },
  [1, 2],
  ['a', 'b'],
  [true],
  [{ a: 1 }],
  // Arrays of values that pass one by one (express-validator checks an array item by item).
  ['2026-01-01T00:00:00.000Z'],
  [5],
];
