import fc from "fast-check";
import {
  CypherEscapeError,
  CypherNameError,
  decodeUnicodeEscapes,
  quoteName,
} from "../../components/neo4j/cypher";
import { expandPrivilege } from "../../components/rbac/privileges";
import { PROPERTY_SEED, hostileName } from "../helpers/hostile-names";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const quotable = (name: string) => name.length > 0 && !LONE_SURROGATE.test(name);

/** The label a one-label TRAVERSE clause names, read as Neo4j reads written Cypher. */
const labelOf = (clause: string) => {
  const names = expandPrivilege(clause).map((p) => p.segment?.name);
  expect(names).toHaveLength(1);
  return names[0];
};

const keysOf = (clause: string) => expandPrivilege(clause).map((p) => p.key);

describe("Neo4j's first pass over a statement (\\u escapes), as decodeUnicodeEscapes reads it", () => {
  // Each line was checked against Neo4j 5.26 (RETURN 1 AS `…`); the integration test repeats that.
  it.each([
    ["`a\\u0041b`", "`aAb`"],
    ["`a\\u0060b`", "`a`b`"],
    ["`a\\\\u0060b`", "`a\\\\u0060b`"],
    ["`a\\u005cu0060b`", "`a\\u0060b`"],
    ["`a\\u+060b`", "`a`b`"],
    ["`a\\u-001`", "`a\uffff`"],
    ["`a\\U0041`", "`a\\U0041`"],
    ["`a\\x`", "`a\\x`"],
    ['"\\u0041"', '"A"'],
  ])("reads %s as %s", (text, read) => {
    expect(decodeUnicodeEscapes(text)).toBe(read);
  });

  it.each(["`a\\uuu0060b`", "`a\\u006`", "`a\\u00`", "`\\u`", "`a\\u٠٠٦٠`"])(
    "refuses %s, which Neo4j refuses or which only Java's digit rules could read",
    (text) => {
      expect(() => decodeUnicodeEscapes(text)).toThrow(CypherEscapeError);
      expect(() => decodeUnicodeEscapes(text)).toThrow("write the character itself");
    },
  );
});

describe("quoteName", () => {
  it("doubles backticks and writes backslashes as \\u005c, so no escape in a name is decoded", () => {
    expect(quoteName("neo4j")).toBe("`neo4j`");
    expect(quoteName("a`b")).toBe("`a``b`");
    expect(quoteName("a\\u0060b")).toBe("`a\\u005cu0060b`");
    expect(quoteName("\\")).toBe("`\\u005c`");
  });

  it("refuses what no quoting can carry: nothing, and unpaired surrogates", () => {
    expect(() => quoteName("")).toThrow(CypherNameError);
    expect(() => quoteName("a\ud800")).toThrow("unpaired UTF-16 surrogate");
  });

  it("reads back as exactly the name, for any hostile name (property)", () => {
    fc.assert(
      fc.property(hostileName, (name) => {
        if (!quotable(name)) {
          expect(() => quoteName(name)).toThrow(CypherNameError);
          return;
        }
        const quoted = quoteName(name);
        expect(decodeUnicodeEscapes(quoted)).toBe("`" + name.replace(/`/g, "``") + "`");
        expect(labelOf(`TRAVERSE ON GRAPH neo4j NODES ${quoted}`)).toBe(name);
      }),
      { seed: PROPERTY_SEED, numRuns: 500 },
    );
  });
});

describe("written privileges are read as Neo4j reads them", () => {
  it("decodes escapes before reading names, and refuses a clause an escape would break", () => {
    expect(labelOf("TRAVERSE ON GRAPH neo4j NODES `Caf\\u00e9`")).toBe("Café");
    // Neo4j ends the name at the escaped backtick; so does the reader.
    expect(keysOf("TRAVERSE ON GRAPH `neo4j\\u0060 NODES A")).toEqual([
      "GRANT TRAVERSE ON GRAPH `neo4j` NODE `A`",
    ]);
    expect(() => expandPrivilege("TRAVERSE ON GRAPH `a\\u0060b`")).toThrow("has an unclosed backtick");
    expect(() => expandPrivilege("TRAVERSE ON GRAPH `a\\uXYZW`")).toThrow(
      'has the escape "\\\\uXYZW": Neo4j reads \\u and four hexadecimal digits as one character',
    );
    // An escaped backslash is not an escape: Neo4j keeps all of it, and so does the reader.
    expect(labelOf("TRAVERSE ON GRAPH neo4j NODES `a\\\\u0060b`")).toBe("a\\\\u0060b");
  });

  it("renders every name it reads so that Neo4j reads the same name back (property)", () => {
    fc.assert(
      fc.property(hostileName, (name) => {
        let label: string | undefined;
        try {
          label = labelOf("TRAVERSE ON GRAPH neo4j NODES `" + name + "`");
        } catch {
          return; // refused: nothing is sent
        }
        // Its stored key quotes it again, and reading the key gives the same name.
        const [privilege] = expandPrivilege(`TRAVERSE ON GRAPH neo4j NODES ${quoteName(label!)}`);
        expect(privilege.segment?.name).toBe(label);
        expect(privilege.key).toBe(`GRANT TRAVERSE ON GRAPH \`neo4j\` NODE ${quoteName(label!)}`);
      }),
      { seed: PROPERTY_SEED, numRuns: 500 },
    );
  });
});
