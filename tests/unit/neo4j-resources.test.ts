import { ClusterShapeArgs, planCluster } from "../../components/neo4j/cluster-spec";
import { memberSettings } from "../../components/neo4j/settings";
import { memberContainerPlan } from "../../components/neo4j/container";
import { recommendedHeap, recommendedPageCache, recommendedReserve } from "../../components/neo4j/resources";

const enterprise = { acceptLicenseAgreement: "yes" as const };
const GIB = 1024 ** 3;

describe("Neo4j's memory recommendation", () => {
  it("keeps Neo4j's reserve and heap at the bracket points and interpolates between them", () => {
    expect(recommendedReserve(2 * GIB)).toBe(1 * GIB);
    expect(recommendedHeap(4 * GIB)).toBe(2 * GIB);
    // Halfway between 4g (1.5g reserve) and 6g (2g reserve).
    expect(recommendedReserve(5 * GIB)).toBe(1.75 * GIB);
    expect(recommendedPageCache(8 * GIB)).toBe(2 * GIB);
  });
});

describe("member resources", () => {
  it("sets no limit and no JVM argument unless asked", () => {
    const { spec } = planCluster("core", enterprise);
    const plan = memberContainerPlan(spec, spec.members[0], memberSettings(spec, spec.members[0]));
    expect(plan.limits).toEqual({});
    expect(memberSettings(spec, spec.members[0])["server.jvm.additional"]).toBeUndefined();
  });

  it("limits memory in MiB with swap off, and CPUs as Docker's decimal string", () => {
    const { spec } = planCluster("core", { ...enterprise, resources: { memory: "4g", cpus: 1.5 } });
    const plan = memberContainerPlan(spec, spec.members[1], memberSettings(spec, spec.members[1]));
    expect(plan.limits).toEqual({ memoryMb: 4096, memorySwapMb: 4096, cpus: "1.5" });
  });

  it("gives heap and page cache Neo4j's own split of the memory limit when they are unset", () => {
    const { spec } = planCluster("core", { ...enterprise, resources: { memory: "8g" } });
    const settings = memberSettings(spec, spec.members[0]);
    expect(settings["server.memory.heap.max_size"]).toBe("3584m");
    expect(settings["server.memory.heap.initial_size"]).toBe("3584m");
    expect(settings["server.memory.pagecache.size"]).toBe("2g");
  });

  it("keeps a heap the user set and gives the page cache what is left", () => {
    const { spec } = planCluster("core", { ...enterprise, heapSize: "1g", resources: { memory: "4g" } });
    expect([spec.heapSize, spec.pageCacheSize]).toEqual(["1g", "1536m"]);
  });

  it("refuses heap and page cache that leave less than Neo4j's reserve, naming both and the way out", () => {
    expect(() =>
      planCluster("core", {
        ...enterprise,
        heapSize: "2g",
        pageCacheSize: "1g",
        resources: { memory: "4g" },
      }),
    ).toThrow(
      'Neo4jCluster "core": heapSize and pageCacheSize do not fit within resources.memory 4g: heap 2g + page cache 1g + the 1536m Neo4j recommends keeping free for native memory, thread stacks and the JVM itself = 4608m, over the limit; Neo4j\'s own split of 4g is heap 2g and page cache 512m (leave both unset to get it), or raise resources.memory',
    );
    expect(() =>
      planCluster("core", { ...enterprise, pageCacheSize: "3g", resources: { memory: "4g" } }),
    ).toThrow(/^Neo4jCluster "core": pageCacheSize does not fit within resources.memory 4g/);
  });

  it("accepts heap and page cache that fill the limit up to the reserve exactly", () => {
    expect(() =>
      planCluster("core", {
        ...enterprise,
        heapSize: "2g",
        pageCacheSize: "512m",
        resources: { memory: "4g" },
      }),
    ).not.toThrow();
  });

  it.each([
    [{ resources: { memory: "lots" } }, /resources.memory must be a memory size: a whole number with a unit/],
    [{ resources: { memroy: "4g" } }, /resources.memroy is not a field of resources; did you mean memory\?/],
    [{ resources: { memory: "100m" } }, /resources.memory must be a memory size: .* from 256m to/],
    [{ resources: { memory: "300000k" } }, /resources.memory must be whole mebibytes/],
    [{ resources: { cpus: 0 } }, /resources.cpus must be a number from 0.01 to 1024 \(got 0\)/],
    [{ resources: { cpus: 1.255 } }, /resources.cpus takes at most two decimals/],
    [
      { jvmAdditionalArgs: ["-Xmx4g"] },
      /jvmAdditionalArgs\[0\] sets what heapSize \(server.memory.heap.\*\) sets/,
    ],
    [{ jvmAdditionalArgs: ["-XX:+UseG1GC", "-Dfoo=a b"] }, /jvmAdditionalArgs\[1\] must be one JVM argument/],
    [{ jvmAdditionalArgs: ["verbose"] }, /jvmAdditionalArgs\[0\] must be one JVM argument starting with "-"/],
  ])("refuses %j", (args, message) => {
    expect(() => planCluster("core", { ...enterprise, ...(args as ClusterShapeArgs) })).toThrow(message);
  });

  it("passes JVM arguments as one space-separated setting, in order", () => {
    const { spec } = planCluster("core", {
      ...enterprise,
      jvmAdditionalArgs: ["-XX:+ExitOnOutOfMemoryError", "-Dlog4j2.formatMsgNoLookups=true"],
    });
    expect(memberSettings(spec, spec.members[0])["server.jvm.additional"]).toBe(
      "-XX:+ExitOnOutOfMemoryError -Dlog4j2.formatMsgNoLookups=true",
    );
  });
});
