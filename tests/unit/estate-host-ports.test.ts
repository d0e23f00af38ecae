import { checkHostPortClaims } from "../../components/estate/host-ports";

const claim = (field: string, address: string, port: number) => ({ field, owner: field, address, port });

describe("checkHostPortClaims", () => {
  it("refuses one port claimed twice on one address", () => {
    expect(() =>
      checkHostPortClaims("Neo4jEnterprise", "e", [
        claim("a", "127.0.0.1", 3000),
        claim("b", "127.0.0.1", 3000),
      ]),
    ).toThrow(/Neo4jEnterprise "e": b collides with a: host port 3000/);
  });

  it("treats 0.0.0.0 as overlapping every address", () => {
    expect(() =>
      checkHostPortClaims("X", "e", [claim("a", "0.0.0.0", 3000), claim("b", "127.0.0.1", 3000)]),
    ).toThrow(/collides/);
  });

  it("allows one port on two distinct addresses, and distinct ports", () => {
    expect(() =>
      checkHostPortClaims("X", "e", [
        claim("a", "127.0.0.1", 3000),
        claim("b", "10.0.0.5", 3000),
        claim("c", "127.0.0.1", 3001),
      ]),
    ).not.toThrow();
  });
});
