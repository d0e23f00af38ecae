import { RbacSpec } from "../../components";

/** The seed's Authentication & Authorization demo as a spec: three roles, three users. */
export function seedAccess<P>(passwords: { alice: P; bob: P; carol: P }): RbacSpec<P> {
  return {
    roles: [
      { name: "analyst", privileges: ["TRAVERSE ON GRAPH neo4j", "READ {*} ON GRAPH neo4j"] },
      {
        name: "developer",
        privileges: ["TRAVERSE ON GRAPH neo4j", "READ {*} ON GRAPH neo4j", "WRITE ON GRAPH neo4j"],
      },
      { name: "admin_assistant", privileges: ["USER MANAGEMENT ON DBMS"] },
    ],
    users: [
      { name: "alice", password: passwords.alice, roles: ["analyst"] },
      { name: "bob", password: passwords.bob, roles: ["developer"] },
      { name: "carol", password: passwords.carol, roles: ["admin_assistant"] },
    ],
  };
}
