import fc from "fast-check";

/**
 * Pieces of names an attacker or a careless user would try against Cypher quoting: backticks,
 * backslashes, every form of `\u` escape Neo4j's first pass reads (signs, missing digits, several
 * u's, upper case, at the very end), quotes, line breaks, NUL, comment and parameter syntax,
 * look-alikes of the backtick and quote, combining marks, astral characters and unpaired surrogates.
 */
export const HOSTILE_PIECES = [
  "`",
  "``",
  "\\",
  "\\\\",
  "\\u0060",
  "\\u005c",
  "\\u005C",
  "\\u005cu0060",
  "\\\\u0060",
  "\\u+060",
  "\\u-0a0",
  "\\uuu0060",
  "\\u00",
  "\\u",
  "\\U0060",
  "\\x60",
  "'",
  '"',
  "\n",
  "\r\n",
  "\t",
  "\u0000",
  "\uff40",
  "\u02cb",
  "\u2018",
  "\u2019",
  "\u02bc",
  "\u2028",
  "\u200b",
  "$",
  ";",
  "//",
  "/*",
  "*/",
  "{",
  "}",
  "(",
  ")",
  ",",
  ":",
  " ",
  "a",
  "Z",
  "7",
  "_",
  ".",
  "@",
  "-",
  "\u00e9",
  "e\u0301",
  "\u{1f600}",
  "\ud800",
  "\udc00",
];

/** A name of up to eight hostile pieces, or now and then one piece repeated to 100–9000 characters. */
export const hostileName: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .array(fc.constantFrom(...HOSTILE_PIECES), { minLength: 1, maxLength: 8 })
      .map((pieces) => pieces.join("")),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...HOSTILE_PIECES), fc.integer({ min: 100, max: 9000 }))
      .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length)),
  },
);

/** Property runs are seeded, so a failure reproduces, and bounded, so the suite stays fast. */
export const PROPERTY_SEED = 20261126;

/** Hostile pieces Neo4j's user-name rule allows (printable ASCII but space, "," and ":"): names that get through. */
const ASCII_PIECES = HOSTILE_PIECES.filter((piece) => /^[\x21-\x2B\x2D-\x39\x3B-\x7E]+$/.test(piece));

/** A name of one to eight such pieces: backticks, backslashes, `\u` escapes, quotes, `$`, `;`, comments. */
export const hostileLoginName: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...ASCII_PIECES), { minLength: 1, maxLength: 8 })
  .map((pieces) => pieces.join(""));

/** A password made of hostile pieces, long enough for Neo4j's default minimum of 8 characters. */
export const hostilePassword: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...HOSTILE_PIECES.filter((piece) => !/[\ud800-\udfff]/.test(piece))), {
    minLength: 4,
    maxLength: 12,
  })
  .map((pieces) => `pw-${pieces.join("")}-pw`);
