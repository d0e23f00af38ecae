import { CypherEscapeError, cypherNameProblem, decodeUnicodeEscapes, quoteName } from "../neo4j/cypher";

/**
 * Privileges as Neo4j stores them. A clause a user writes (`TRAVERSE ON GRAPH neo4j`) can stand for
 * several stored privileges; `SHOW ROLE r PRIVILEGES AS COMMANDS` lists the stored ones, one per
 * row. Neo4j's planner expands a GRANT/DENY over every graph or database named, every segment
 * (label or relationship type; ELEMENTS and "no segment" mean both NODE and RELATIONSHIP), every
 * property in `{...}` and every name in the qualifier lists, and reports each with the long form
 * of the action (`INDEX` -> `INDEX MANAGEMENT`, `ALL ON DBMS` -> `ALL DBMS PRIVILEGES`).
 *
 * `expandPrivilege` applies those rules to what the user wrote and `parsePrivilegeCommand` reads
 * what Neo4j reports; both give `Privilege` values whose `key` is rendered one way only, so desired
 * and actual compare exactly. Names are always backticked in our rendering, so the comparison does
 * not depend on when Neo4j chooses to quote.
 *
 * A written clause is Cypher, so it is read the way Neo4j reads it: `\u` escapes decoded first (see
 * neo4j/cypher.ts). What Neo4j reports is not: it prints a name between backticks as it is stored,
 * without escaping a backslash, so a reported row is read without that pass.
 */

export type Access = "GRANT" | "DENY";
export type ScopeKind = "graph" | "database" | "dbms";

/** `*`, a named graph or database, or the user's home/default one. */
export type ScopeTarget = { all: true } | { name: string } | { home: true } | { default: true };

export interface Privilege {
  access: Access;
  /** The action in Neo4j's long form, such as `TRAVERSE`, `SET PROPERTY`, `INDEX MANAGEMENT`. */
  action: string;
  scope: ScopeKind;
  target?: ScopeTarget;
  /** A property (`READ {name}`) or `*`, for the actions that take `{...}`. */
  property?: string;
  /** `NODE` or `RELATIONSHIP` with a label/type or `*`, for the segmented graph actions. */
  segment?: { kind: "NODE" | "RELATIONSHIP"; name: string };
  /** The label of SET/REMOVE LABEL, the user of TRANSACTION/IMPERSONATE, the glob of EXECUTE/SHOW SETTING. */
  qualifier?: string;
  /** The canonical clause with its access: `GRANT TRAVERSE ON GRAPH \`neo4j\` NODE *`. */
  key: string;
}

type Shape =
  /** TRAVERSE, CREATE, DELETE: one privilege per segment. */
  | "segmented"
  /** READ, MATCH, SET PROPERTY, MERGE: per property and segment. */
  | "properties"
  /** WRITE, ALL GRAPH PRIVILEGES and most database/DBMS actions: no qualifier. */
  | "plain"
  /** SET LABEL, REMOVE LABEL: per label, written after the action. */
  | "labels"
  /** TRANSACTION MANAGEMENT, SHOW/TERMINATE TRANSACTION, IMPERSONATE: per user in `(...)`, default `*`. */
  | "users"
  /** EXECUTE PROCEDURE/FUNCTION, SHOW SETTING: per glob, written after the action. */
  | "globs";

interface ActionForm {
  /** The action words as written, upper-cased and joined by one space. */
  pattern: RegExp;
  action: string;
  scope: ScopeKind;
  shape: Shape;
}

const form = (pattern: RegExp, action: string, scope: ScopeKind, shape: Shape = "plain"): ActionForm => ({
  pattern,
  action,
  scope,
  shape,
});

/** The privilege families a DBA uses, from Neo4j 5's Operations Manual. */
const ACTION_FORMS: ActionForm[] = [
  form(/^TRAVERSE$/, "TRAVERSE", "graph", "segmented"),
  form(/^READ$/, "READ", "graph", "properties"),
  form(/^MATCH$/, "MATCH", "graph", "properties"),
  form(/^WRITE$/, "WRITE", "graph"),
  form(/^CREATE$/, "CREATE", "graph", "segmented"),
  form(/^DELETE$/, "DELETE", "graph", "segmented"),
  form(/^SET LABEL$/, "SET LABEL", "graph", "labels"),
  form(/^REMOVE LABEL$/, "REMOVE LABEL", "graph", "labels"),
  form(/^SET PROPERTY$/, "SET PROPERTY", "graph", "properties"),
  form(/^MERGE$/, "MERGE", "graph", "properties"),
  form(/^ALL (GRAPH )?PRIVILEGES$/, "ALL GRAPH PRIVILEGES", "graph"),

  form(/^ACCESS$/, "ACCESS", "database"),
  form(/^START$/, "START", "database"),
  form(/^STOP$/, "STOP", "database"),
  form(/^(INDEX|INDEXES)( MANAGEMENT)?$/, "INDEX MANAGEMENT", "database"),
  form(/^CREATE INDEX(ES)?$/, "CREATE INDEX", "database"),
  form(/^DROP INDEX(ES)?$/, "DROP INDEX", "database"),
  form(/^SHOW INDEX(ES)?$/, "SHOW INDEX", "database"),
  form(/^(CONSTRAINT|CONSTRAINTS)( MANAGEMENT)?$/, "CONSTRAINT MANAGEMENT", "database"),
  form(/^CREATE CONSTRAINTS?$/, "CREATE CONSTRAINT", "database"),
  form(/^DROP CONSTRAINTS?$/, "DROP CONSTRAINT", "database"),
  form(/^SHOW CONSTRAINTS?$/, "SHOW CONSTRAINT", "database"),
  form(/^NAME( MANAGEMENT)?$/, "NAME MANAGEMENT", "database"),
  form(/^CREATE NEW (NODE )?LABELS?$/, "CREATE NEW NODE LABEL", "database"),
  form(/^CREATE NEW (RELATIONSHIP )?TYPES?$/, "CREATE NEW RELATIONSHIP TYPE", "database"),
  form(/^CREATE NEW (PROPERTY )?NAMES?$/, "CREATE NEW PROPERTY NAME", "database"),
  form(/^TRANSACTIONS?( MANAGEMENT)?$/, "TRANSACTION MANAGEMENT", "database", "users"),
  form(/^SHOW TRANSACTIONS?$/, "SHOW TRANSACTION", "database", "users"),
  form(/^TERMINATE TRANSACTIONS?$/, "TERMINATE TRANSACTION", "database", "users"),
  form(/^ALL(( DATABASE)? PRIVILEGES)?$/, "ALL DATABASE PRIVILEGES", "database"),

  form(/^USER MANAGEMENT$/, "USER MANAGEMENT", "dbms"),
  form(/^CREATE USER$/, "CREATE USER", "dbms"),
  form(/^DROP USER$/, "DROP USER", "dbms"),
  form(/^SHOW USER$/, "SHOW USER", "dbms"),
  form(/^ALTER USER$/, "ALTER USER", "dbms"),
  form(/^RENAME USER$/, "RENAME USER", "dbms"),
  form(/^SET USER STATUS$/, "SET USER STATUS", "dbms"),
  form(/^SET (USER )?PASSWORDS?$/, "SET PASSWORDS", "dbms"),
  form(/^SET USER HOME DATABASE$/, "SET USER HOME DATABASE", "dbms"),
  form(/^ROLE MANAGEMENT$/, "ROLE MANAGEMENT", "dbms"),
  form(/^CREATE ROLE$/, "CREATE ROLE", "dbms"),
  form(/^DROP ROLE$/, "DROP ROLE", "dbms"),
  form(/^ASSIGN ROLE$/, "ASSIGN ROLE", "dbms"),
  form(/^REMOVE ROLE$/, "REMOVE ROLE", "dbms"),
  form(/^SHOW ROLE$/, "SHOW ROLE", "dbms"),
  form(/^RENAME ROLE$/, "RENAME ROLE", "dbms"),
  form(/^PRIVILEGE MANAGEMENT$/, "PRIVILEGE MANAGEMENT", "dbms"),
  form(/^SHOW PRIVILEGE$/, "SHOW PRIVILEGE", "dbms"),
  form(/^ASSIGN PRIVILEGE$/, "ASSIGN PRIVILEGE", "dbms"),
  form(/^REMOVE PRIVILEGE$/, "REMOVE PRIVILEGE", "dbms"),
  form(/^DATABASE MANAGEMENT$/, "DATABASE MANAGEMENT", "dbms"),
  form(/^CREATE DATABASE$/, "CREATE DATABASE", "dbms"),
  form(/^DROP DATABASE$/, "DROP DATABASE", "dbms"),
  form(/^ALTER DATABASE$/, "ALTER DATABASE", "dbms"),
  form(/^SET DATABASE ACCESS$/, "SET DATABASE ACCESS", "dbms"),
  form(/^COMPOSITE DATABASE MANAGEMENT$/, "COMPOSITE DATABASE MANAGEMENT", "dbms"),
  form(/^ALIAS MANAGEMENT$/, "ALIAS MANAGEMENT", "dbms"),
  form(/^SERVER MANAGEMENT$/, "SERVER MANAGEMENT", "dbms"),
  form(/^SHOW SERVERS?$/, "SHOW SERVERS", "dbms"),
  form(/^IMPERSONATE$/, "IMPERSONATE", "dbms", "users"),
  form(/^EXECUTE PROCEDURES?$/, "EXECUTE PROCEDURE", "dbms", "globs"),
  form(/^EXECUTE BOOSTED PROCEDURES?$/, "EXECUTE BOOSTED PROCEDURE", "dbms", "globs"),
  form(/^EXECUTE ADMIN(ISTRATOR)? PROCEDURES$/, "EXECUTE ADMIN PROCEDURES", "dbms"),
  form(/^EXECUTE (USER (DEFINED )?)?FUNCTIONS?$/, "EXECUTE FUNCTION", "dbms", "globs"),
  form(/^EXECUTE BOOSTED (USER (DEFINED )?)?FUNCTIONS?$/, "EXECUTE BOOSTED FUNCTION", "dbms", "globs"),
  form(/^SHOW SETTINGS?$/, "SHOW SETTING", "dbms", "globs"),
  form(/^ALL(( DBMS)? PRIVILEGES)?$/, "ALL DBMS PRIVILEGES", "dbms"),
];

const ACTION_WORD = /^[A-Z]+$/;
/** Procedure and function name globs, as RbacPolicy reads them: written bare, never quoted. */
export const GLOB = /^[A-Za-z0-9_.*?]+$/;

type Token =
  { kind: "word"; text: string } | { kind: "quoted"; text: string } | { kind: "punct"; text: string };

/** Splits a clause into words, backticked names and `{ } ( ) ,`; anything else (`;`, `$`, quotes) is refused. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if ("{}(),".includes(c)) {
      tokens.push({ kind: "punct", text: c });
      i++;
    } else if (c === "`") {
      let name = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new PrivilegeSyntaxError("has an unclosed backtick");
        if (text[i] === "`") {
          if (text[i + 1] === "`") {
            name += "`";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += text[i++];
      }
      tokens.push({ kind: "quoted", text: name });
    } else {
      const match = /^[A-Za-z0-9_.*?]+/.exec(text.slice(i));
      if (!match) throw new PrivilegeSyntaxError(`has an unexpected character ${JSON.stringify(c)}`);
      tokens.push({ kind: "word", text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

/** A privilege clause the library cannot read; the message completes "… privilege X <message>". */
export class PrivilegeSyntaxError extends Error {}

const isWord = (t: Token | undefined, ...words: string[]) =>
  t !== undefined && t.kind === "word" && words.includes(t.text.toUpperCase());

/**
 * Reads a privilege as written in a spec (`[DENY ]<clause>`, the text between GRANT and TO) and
 * returns the privileges Neo4j will store for it.
 */
export function expandPrivilege(written: string): Privilege[] {
  let decoded: string;
  try {
    decoded = decodeUnicodeEscapes(written);
  } catch (error) {
    if (error instanceof CypherEscapeError) throw new PrivilegeSyntaxError(error.message);
    throw error;
  }
  const tokens = tokenize(decoded);
  let access: Access = "GRANT";
  if (isWord(tokens[0], "DENY", "GRANT")) access = tokens.shift()!.text.toUpperCase() as Access;
  if (isWord(tokens[0], "IMMUTABLE")) {
    throw new PrivilegeSyntaxError(
      "is IMMUTABLE: immutable privileges can only be changed with authentication off, so RbacPolicy does not manage them",
    );
  }
  return expandClause(access, tokens);
}

/**
 * Reads one row of `SHOW ROLE r PRIVILEGES AS COMMANDS` (`GRANT … TO \`r\``). Returns undefined for
 * a row this library does not model (property-based rules, LOAD, immutable privileges): such rows
 * are left alone.
 */
export function parsePrivilegeCommand(command: string): Privilege | undefined {
  try {
    const tokens = tokenize(command);
    if (!isWord(tokens[0], "GRANT", "DENY")) return undefined;
    const access = tokens.shift()!.text.toUpperCase() as Access;
    const to = tokens.length - 2;
    if (!isWord(tokens[to], "TO")) return undefined;
    const expanded = expandClause(access, tokens.slice(0, to));
    return expanded.length === 1 ? expanded[0] : undefined;
  } catch (error) {
    if (error instanceof PrivilegeSyntaxError) return undefined;
    throw error;
  }
}

function expandClause(access: Access, tokens: Token[]): Privilege[] {
  const on = topLevelIndex(tokens, "ON");
  if (on < 0) throw new PrivilegeSyntaxError("has no ON part (ON GRAPH …, ON DATABASE … or ON DBMS)");
  const actionTokens = tokens.slice(0, on);
  const { leading, properties, users } = splitAction(actionTokens);
  const scopeTokens = tokens.slice(on + 1);
  const scopeKind = readScopeKind(scopeTokens);

  const { actionForm, rest } = matchAction(leading, scopeKind);
  const targets = readTargets(scopeTokens, scopeKind);
  const segments = readSegments(scopeTokens, actionForm);
  if (scopeTokens.length > 0)
    throw new PrivilegeSyntaxError(`has unexpected text after the scope: ${describe(scopeTokens)}`);

  let qualifiers: (string | undefined)[] = [undefined];
  if (actionForm.shape === "labels" || actionForm.shape === "globs") {
    qualifiers = readNameList(rest, actionForm.shape === "globs");
  } else if (rest.length > 0) {
    throw new PrivilegeSyntaxError(`has unexpected text after ${actionForm.action}: ${describe(rest)}`);
  }
  if (actionForm.shape === "users") qualifiers = users ?? ["*"];
  else if (users) throw new PrivilegeSyntaxError(`takes no (…) list with ${actionForm.action}`);

  let props: (string | undefined)[] = [undefined];
  if (actionForm.shape === "properties") {
    if (!properties)
      throw new PrivilegeSyntaxError(
        `needs a property list after ${actionForm.action}, such as {*} or {name}`,
      );
    props = properties;
  } else if (properties) {
    throw new PrivilegeSyntaxError(`takes no {…} property list with ${actionForm.action}`);
  }

  const privileges: Privilege[] = [];
  for (const target of targets)
    for (const segment of segments)
      for (const property of props)
        for (const qualifier of qualifiers) {
          const privilege: Omit<Privilege, "key"> = {
            access,
            action: actionForm.action,
            scope: actionForm.scope,
          };
          if (target) privilege.target = target;
          if (segment) privilege.segment = segment;
          if (property !== undefined) privilege.property = property;
          if (qualifier !== undefined) privilege.qualifier = qualifier;
          privileges.push({ ...privilege, key: renderKey(privilege, actionForm.shape) });
        }
  return privileges;
}

function topLevelIndex(tokens: Token[], word: string): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "punct" && (t.text === "{" || t.text === "(")) depth++;
    else if (t.kind === "punct" && (t.text === "}" || t.text === ")")) depth--;
    else if (depth === 0 && isWord(t, word)) return i;
  }
  return -1;
}

/** Separates the written action (words, then maybe a name list) from a `{...}` or `(...)` list after it. */
function splitAction(tokens: Token[]) {
  const open = tokens.findIndex((t) => t.kind === "punct" && (t.text === "{" || t.text === "("));
  if (open < 0) return { leading: tokens, properties: undefined, users: undefined };
  const closeText = tokens[open].text === "{" ? "}" : ")";
  const close = tokens.findIndex((t, i) => i > open && t.kind === "punct" && t.text === closeText);
  if (close < 0) throw new PrivilegeSyntaxError(`has an unclosed ${tokens[open].text}`);
  if (close !== tokens.length - 1)
    throw new PrivilegeSyntaxError(`has unexpected text before ON: ${describe(tokens.slice(close + 1))}`);
  const list = readNameList(tokens.slice(open + 1, close), false);
  return {
    leading: tokens.slice(0, open),
    properties: closeText === "}" ? list : undefined,
    users: closeText === ")" ? list : undefined,
  };
}

function readScopeKind(scope: Token[]): ScopeKind {
  const first = scope[0];
  if (isWord(first, "DBMS")) return "dbms";
  if (isWord(first, "GRAPH", "GRAPHS")) return "graph";
  if (isWord(first, "DATABASE", "DATABASES")) return "database";
  if (isWord(first, "HOME", "DEFAULT") && isWord(scope[1], "GRAPH")) return "graph";
  if (isWord(first, "HOME", "DEFAULT") && isWord(scope[1], "DATABASE")) return "database";
  throw new PrivilegeSyntaxError(`has an unknown scope after ON: ${describe(scope)}`);
}

/** The longest run of leading words that spells an action for this scope; what follows is its name list. */
function matchAction(leading: Token[], scope: ScopeKind): { actionForm: ActionForm; rest: Token[] } {
  let outOfScope: ActionForm | undefined;
  for (let length = leading.length; length > 0; length--) {
    const words = leading.slice(0, length);
    if (!words.every((t) => t.kind === "word" && ACTION_WORD.test(t.text.toUpperCase()))) continue;
    const text = words.map((t) => t.text.toUpperCase()).join(" ");
    const matches = ACTION_FORMS.filter((f) => f.pattern.test(text));
    const inScope = matches.find((f) => f.scope === scope);
    if (inScope) return { actionForm: inScope, rest: leading.slice(length) };
    outOfScope = outOfScope ?? matches[0];
  }
  if (outOfScope) {
    throw new PrivilegeSyntaxError(
      `grants ${outOfScope.action}, which applies ON ${outOfScope.scope.toUpperCase()}, not ON ${scope.toUpperCase()}`,
    );
  }
  throw new PrivilegeSyntaxError(`has an action RbacPolicy does not know: ${describe(leading)}`);
}

/** Consumes the scope's targets from the front of `scope`. */
function readTargets(scope: Token[], kind: ScopeKind): (ScopeTarget | undefined)[] {
  if (kind === "dbms") {
    scope.shift();
    return [undefined];
  }
  if (isWord(scope[0], "HOME", "DEFAULT")) {
    const which = scope.shift()!.text.toUpperCase();
    scope.shift();
    return [which === "HOME" ? { home: true } : { default: true }];
  }
  scope.shift();
  const names = takeNameList(scope, false);
  if (names.length === 0) throw new PrivilegeSyntaxError(`names no ${kind} after ON ${kind.toUpperCase()}`);
  return names.map((n) => (n === "*" ? { all: true } : { name: n }));
}

function readSegments(
  scope: Token[],
  actionForm: ActionForm,
): ({ kind: "NODE" | "RELATIONSHIP"; name: string } | undefined)[] {
  const segmented = actionForm.shape === "segmented" || actionForm.shape === "properties";
  if (isWord(scope[0], "FOR")) {
    throw new PrivilegeSyntaxError(
      "uses a FOR pattern (property-based access control), which RbacPolicy does not manage",
    );
  }
  const kindWord = isWord(scope[0], "NODE", "NODES", "RELATIONSHIP", "RELATIONSHIPS", "ELEMENT", "ELEMENTS")
    ? scope.shift()!.text.toUpperCase()
    : undefined;
  if (!segmented) {
    if (kindWord)
      throw new PrivilegeSyntaxError(`takes no NODES/RELATIONSHIPS/ELEMENTS with ${actionForm.action}`);
    return [undefined];
  }
  const names = kindWord ? takeNameList(scope, false) : ["*"];
  if (names.length === 0) throw new PrivilegeSyntaxError(`names no label or type after ${kindWord}`);
  const kinds: ("NODE" | "RELATIONSHIP")[] =
    kindWord === undefined || kindWord.startsWith("ELEMENT")
      ? ["NODE", "RELATIONSHIP"]
      : kindWord.startsWith("NODE")
        ? ["NODE"]
        : ["RELATIONSHIP"];
  return kinds.flatMap((k) => names.map((name) => ({ kind: k, name })));
}

const isComma = (t: Token | undefined) => t !== undefined && t.kind === "punct" && t.text === ",";

/** Reads `a, b, c` from the front of `tokens`, removing what it read. */
function takeNameList(tokens: Token[], globs: boolean): string[] {
  if (tokens.length === 0 || tokens[0].kind === "punct") return [];
  const names = [nameOf(tokens.shift()!, globs)];
  while (isComma(tokens[0])) {
    tokens.shift();
    const next = tokens.shift();
    if (!next || next.kind === "punct") throw new PrivilegeSyntaxError("has a list that ends with a comma");
    names.push(nameOf(next, globs));
  }
  return names;
}

function readNameList(tokens: Token[], globs: boolean): string[] {
  const copy = [...tokens];
  const names = takeNameList(copy, globs);
  if (copy.length > 0 || names.length === 0)
    throw new PrivilegeSyntaxError(`has a malformed list: ${describe(tokens)}`);
  return names;
}

function nameOf(token: Token, glob: boolean): string {
  if (token.kind === "quoted") {
    if (token.text.length === 0) throw new PrivilegeSyntaxError("has an empty name");
    const problem = cypherNameProblem(token.text);
    if (problem) throw new PrivilegeSyntaxError(`has a name that ${problem}`);
    return token.text;
  }
  if (
    token.kind === "word" &&
    (glob ? GLOB.test(token.text) : token.text === "*" || /^[A-Za-z_][A-Za-z0-9_.]*$/.test(token.text))
  ) {
    return token.text;
  }
  throw new PrivilegeSyntaxError(`has an invalid name ${JSON.stringify(token.text)}`);
}

function describe(tokens: Token[]): string {
  const text = (t: Token) =>
    t.kind !== "quoted" ? t.text : cypherNameProblem(t.text) ? JSON.stringify(t.text) : quoteName(t.text);
  return JSON.stringify(tokens.map(text).join(" "));
}

const nameOrStar = (name: string) => (name === "*" ? "*" : quoteName(name));

function renderTarget(scope: ScopeKind, target: ScopeTarget | undefined): string {
  const word = scope === "graph" ? "GRAPH" : "DATABASE";
  if (scope === "dbms" || !target) return "DBMS";
  if ("home" in target) return `HOME ${word}`;
  if ("default" in target) return `DEFAULT ${word}`;
  if ("all" in target) return `${word} *`;
  return `${word} ${quoteName(target.name)}`;
}

function renderKey(p: Omit<Privilege, "key">, shape: Shape): string {
  let clause = p.action;
  if (p.property !== undefined) clause += ` {${nameOrStar(p.property)}}`;
  if (p.qualifier !== undefined) {
    if (shape === "users") clause += ` (${nameOrStar(p.qualifier)})`;
    else if (shape === "globs") clause += ` ${p.qualifier}`;
    else clause += ` ${nameOrStar(p.qualifier)}`;
  }
  clause += ` ON ${renderTarget(p.scope, p.target)}`;
  if (p.segment) clause += ` ${p.segment.kind} ${nameOrStar(p.segment.name)}`;
  return `${p.access} ${clause}`;
}
