import {
  ALTER_CURRENT_USER_PASSWORD,
  DatabaseRow,
  SHOW_DATABASES,
  SHOW_SERVERS,
  ServerRow,
  clusterProblems,
  deallocateServer,
  dropServer,
  enableServer,
  nextRemovalStep,
} from "../../components/neo4j/servers";
import { cypherSyntaxErrors } from "../../components/rbac/spec";

const server = (address: string, over: Partial<ServerRow> = {}): ServerRow => ({
  serverId: `id-${address}`,
  name: `id-${address}`,
  address,
  state: "Enabled",
  health: "Available",
  hosting: ["system", "neo4j"],
  requestedHosting: ["system", "neo4j"],
  ...over,
});
const online = (name: string, address: string, over: Partial<DatabaseRow> = {}): DatabaseRow => ({
  name,
  address,
  currentStatus: "online",
  requestedStatus: "online",
  statusMessage: "",
  ...over,
});
const healthy = [server("localhost:7688"), server("localhost:7689"), server("localhost:7690")];
const databases = healthy.map((s) => online("neo4j", s.address));

describe("the Cypher each server operation sends", () => {
  it("passes Neo4j's own parser, with server ids and passwords only as parameters", () => {
    const statements = [
      { text: SHOW_SERVERS, parameters: {} },
      { text: SHOW_DATABASES, parameters: {} },
      { text: ALTER_CURRENT_USER_PASSWORD, parameters: { old: "x", new: "y" } },
      enableServer("id-1", "PRIMARY"),
      enableServer("id-1", "SECONDARY"),
      deallocateServer("id-1"),
      dropServer("id-1"),
    ];
    for (const { text, parameters } of statements) {
      expect({ text, errors: cypherSyntaxErrors(text) }).toEqual({ text, errors: [] });
      for (const value of Object.values(parameters)) expect(text).not.toContain(value);
    }
    expect(enableServer("id-1", "SECONDARY").text).toBe(
      "ENABLE SERVER $server OPTIONS {modeConstraint: 'SECONDARY'}",
    );
  });
});

describe("clusterProblems", () => {
  it("is empty when every server hosts what it should and every database is as requested", () => {
    expect(clusterProblems(healthy, databases, [{ name: "core-2", boltAddress: "localhost:7689" }])).toEqual(
      [],
    );
  });

  it("names what is not back yet: a missing or free member, an unavailable server, a database still moving or starting", () => {
    const servers = [
      server("localhost:7688", { health: "Unavailable" }),
      server("localhost:7689", { hosting: ["system"] }),
      server("localhost:7691", { state: "Free", hosting: ["system"], requestedHosting: [] }),
    ];
    expect(
      clusterProblems(
        servers,
        [online("neo4j", "localhost:7689", { currentStatus: "starting", statusMessage: "catching up" })],
        [
          { name: "core-3", boltAddress: "localhost:7690" },
          { name: "core-4", boltAddress: "localhost:7691" },
        ],
      ),
    ).toEqual([
      "core-3 (localhost:7690) is not in SHOW SERVERS yet",
      "core-4 is Free (not enabled yet)",
      "server localhost:7688 is Unavailable",
      "server localhost:7689 hosts [system] of [system, neo4j]",
      "database neo4j on localhost:7689 is starting, not online (catching up)",
    ]);
  });

  it("tells a member whose kept data volume carries a dropped server's identity what to do", () => {
    const [problem] = clusterProblems(
      [...healthy, server("localhost:7691", { state: "Dropped", hosting: [], requestedHosting: [] })],
      databases,
      [{ name: "core-4", boltAddress: "localhost:7691", dataVolume: "core-4-data" }],
    );
    expect(problem).toMatch(
      /core-4 \(localhost:7691\) was dropped from the cluster before, and Neo4j never lets a dropped server rejoin/,
    );
    expect(problem).toMatch(/delete the volume core-4-data|volume core-4-data was kept/);
  });
});

describe("nextRemovalStep", () => {
  it("deallocates, waits until Neo4j reports the server deallocated, drops it, and then is done", () => {
    const step = (over: Partial<ServerRow>) => nextRemovalStep(server("localhost:7691", over));
    expect(step({ state: "Enabled" })).toEqual({
      kind: "run",
      statement: deallocateServer("id-localhost:7691"),
    });
    expect(step({ state: "Cordoned" })).toEqual({
      kind: "run",
      statement: deallocateServer("id-localhost:7691"),
    });
    expect(step({ state: "Deallocating", hosting: ["system", "neo4j"] })).toEqual({
      kind: "wait",
      why: "its databases are still moving (hosting system, neo4j)",
    });
    expect(step({ state: "Deallocated" })).toEqual({
      kind: "run",
      statement: dropServer("id-localhost:7691"),
    });
    expect(step({ state: "Free" })).toEqual({ kind: "run", statement: dropServer("id-localhost:7691") });
    expect(step({ state: "Dropped" })).toEqual({ kind: "done", note: "dropped" });
    expect(nextRemovalStep(undefined)).toEqual({ kind: "done", note: "not in the cluster" });
  });
});
