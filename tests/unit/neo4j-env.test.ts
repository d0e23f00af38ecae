import { envVarToSetting, settingToEnvVar, settingsToEnv } from "../../components/neo4j/env";

describe("the official image's NEO4J_* convention", () => {
  it("encodes dots as _ and underscores as __", () => {
    expect(settingToEnvVar("server.cluster.raft.advertised_address")).toBe(
      "NEO4J_server_cluster_raft_advertised__address",
    );
    expect(settingToEnvVar("dbms.cluster.minimum_initial_system_primaries_count")).toBe(
      "NEO4J_dbms_cluster_minimum__initial__system__primaries__count",
    );
  });

  it("decodes what it encodes", () => {
    for (const name of [
      "initial.dbms.default_primaries_count",
      "server.metrics.prometheus.endpoint",
      "db.logs.query.enabled",
    ]) {
      expect(envVarToSetting(settingToEnvVar(name))).toBe(name);
    }
  });

  it("matches the seed's hand-written variables", () => {
    expect(envVarToSetting("NEO4J_initial_server_mode__constraint")).toBe("initial.server.mode_constraint");
  });

  it("renders settings sorted so container inputs diff stably", () => {
    expect(settingsToEnv({ "b.x": "2", "a.y_z": "1" })).toEqual(["NEO4J_a_y__z=1", "NEO4J_b_x=2"]);
  });
});
