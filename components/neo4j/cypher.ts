/**
 * Cypher text the library writes. Names of users and roles, and passwords, travel as `$parameters`
 * (see rbac/planner.ts). Names Cypher only takes inline (graphs, labels, relationship types and
 * properties in privileges; databases in restore commands) go through `quoteName`, the one quoting
 * helper, and written Cypher is read with `decodeUnicodeEscapes` first, as Neo4j reads it.
 *
 * What Neo4j 5 does to a statement before and while it reads a backtick-quoted name (the parser's
 * `UnicodeEscapeReplacementReader` and `ESCAPED_SYMBOLIC_NAME` rule; pinned against Neo4j 5.26 by
 * tests/integration/rbac-injection.test.ts):
 *
 * 1. Before the lexer runs, each `\u` and the (up to) four characters after it become the UTF-16
 *    unit those characters spell in hexadecimal, anywhere in the text: inside backticks and string
 *    literals too. The four characters are read by Java's `Integer.parseInt(…, 16)`, so a sign is
 *    accepted (`\u+060` is a backtick too); anything else there is a syntax error. A backslash
 *    escapes the next character from this only if it was not itself produced by an escape, so
 *    `\\u0060` stays as written, while `\u005c` gives a backslash that escapes nothing.
 * 2. Inside backticks the lexer takes every character but the backtick; two backticks stand for one.
 *    There is no other escape: `\n` or `\x` in a quoted name are those two characters.
 *
 * So `quoteName` doubles backticks and writes each backslash as `\u005c`: what Neo4j reads back is
 * the name as given, whatever `\u…` text it contains.
 */

/** A name that cannot be written into a statement at all; the message completes "… name <message>". */
export class CypherNameError extends Error {}

/** A `\u` escape that Neo4j would refuse or that the library cannot read the way Neo4j does. */
export class CypherEscapeError extends Error {}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `name` cannot be quoted, or undefined if it can: it must be a non-empty string of well-formed
 * UTF-16 (Bolt sends text as UTF-8, where an unpaired surrogate turns into U+FFFD, another name).
 */
export function cypherNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name.length === 0)
    return `must be a non-empty string (got ${JSON.stringify(name)})`;
  if (LONE_SURROGATE.test(name))
    return `contains an unpaired UTF-16 surrogate, which cannot be sent to Neo4j as text (got ${JSON.stringify(name)})`;
  return undefined;
}

/**
 * Backtick-quotes a name so that Neo4j reads exactly `name` back: backticks doubled, backslashes
 * written as `\u005c` so that no `\u…` in the name is decoded. Throws `CypherNameError` for a name
 * no quoting can carry (see `cypherNameProblem`).
 */
export function quoteName(name: string): string {
  const problem = cypherNameProblem(name);
  if (problem) throw new CypherNameError(problem);
  return "`" + name.replace(/`/g, "``").replace(/\\/g, "\\u005c") + "`";
}

/** The characters after `\u` that Neo4j's `Integer.parseInt(…, 16)` and this function agree on. */
const ESCAPE_DIGITS = /^[+-]?[0-9A-Fa-f]+$/;

/**
 * Applies Neo4j's first pass to Cypher text (rule 1 above) and returns what its lexer then reads.
 * Java's parser also takes non-ASCII Unicode digits after `\u`; rather than guess at those, this
 * throws `CypherEscapeError` for anything but ASCII hex digits with an optional sign, as it does
 * for what Neo4j itself refuses.
 */
export function decodeUnicodeEscapes(text: string): string {
  let decoded = "";
  let escaped = false;
  for (let i = 0; i < text.length;) {
    let c = text[i];
    const replacement: boolean = !escaped && c === "\\" && text[i + 1] === "u";
    if (replacement) {
      const digits = text.slice(i + 2, i + 6);
      if (!ESCAPE_DIGITS.test(digits)) {
        throw new CypherEscapeError(
          `has the escape ${JSON.stringify(`\\u${digits}`)}: Neo4j reads \\u and four hexadecimal digits as one character, anywhere in a statement; write the character itself`,
        );
      }
      c = String.fromCharCode(parseInt(digits, 16) & 0xffff);
    }
    escaped = !escaped && !replacement && c === "\\";
    decoded += c;
    i += replacement ? 6 : 1;
  }
  return decoded;
}
