/**
 * What each member may use of the host, and how Neo4j divides it: CPU and memory limits, heap and
 * page cache sizes that fit within the memory limit, and extra JVM arguments. Plain functions,
 * no Pulumi: the numbers are checked in the component's constructor, before anything exists.
 */
import { Checks, formatSize } from "./checks";

/** Per-member limits, enforced by the container runtime. */
export interface MemberResourcesArgs {
  /**
   * CPUs each member may use (Docker `--cpus`), fractions allowed, such as `1.5`. Default: no
   * limit, every host CPU. Between 0.01 and 1024.
   */
  cpus?: number;
  /**
   * Memory each member may use (Docker `--memory`), such as `4g`; whole mebibytes, at least 256m.
   * Default: no limit. With a limit, heap and page cache must leave Neo4j's recommended reserve
   * free within it (see README), and unset heapSize / pageCacheSize default to Neo4j's own split.
   */
  memory?: string;
}

export interface MemberResources {
  /** Docker `--cpus`, as the decimal string the Docker provider takes. */
  cpus?: string;
  /** The memory limit in bytes. */
  memoryBytes?: number;
  /** The memory limit in MiB, the Docker provider's unit. */
  memoryMb?: number;
  /** Heap size to configure: the user's, or Neo4j's recommendation for the memory limit. */
  heapSize?: string;
  /** Page cache size to configure: the user's, or what Neo4j's recommendation leaves for it. */
  pageCacheSize?: string;
  /** `server.jvm.additional` arguments, in order. */
  jvmAdditionalArgs: string[];
}

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * neo4j-admin server memory-recommendation's brackets (Neo4j 5.26, MemoryRecommendation): for a
 * machine of `total` GiB, the GiB kept for everything outside heap and page cache (native memory,
 * thread stacks, metaspace, network buffers, the OS), and the heap. Values in between are
 * interpolated linearly, as Neo4j does.
 */
const BRACKETS: { total: number; reserve: number; heap: number }[] = [
  { total: 0.01, reserve: 0.007, heap: 0.002 },
  { total: 1, reserve: 0.65, heap: 0.3 },
  { total: 2, reserve: 1, heap: 0.5 },
  { total: 4, reserve: 1.5, heap: 2 },
  { total: 6, reserve: 2, heap: 3 },
  { total: 8, reserve: 2.5, heap: 3.5 },
  { total: 10, reserve: 3, heap: 4 },
  { total: 12, reserve: 3.5, heap: 4.5 },
  { total: 16, reserve: 4, heap: 5 },
  { total: 24, reserve: 6, heap: 8 },
  { total: 32, reserve: 8, heap: 12 },
  { total: 64, reserve: 12, heap: 24 },
  { total: 128, reserve: 16, heap: 31 },
  { total: 256, reserve: 20, heap: 31 },
  { total: 512, reserve: 24, heap: 31 },
  { total: 1024, reserve: 30, heap: 31 },
];

function interpolate(totalBytes: number, pick: (b: (typeof BRACKETS)[number]) => number): number {
  const totalGib = totalBytes / GIB;
  const upperIndex = BRACKETS.findIndex((b, i) => i > 0 && totalGib < b.total);
  const upper = BRACKETS[upperIndex === -1 ? BRACKETS.length - 1 : upperIndex];
  const lower = BRACKETS[upperIndex === -1 ? BRACKETS.length - 1 : upperIndex - 1];
  const factor = lower === upper ? 0 : (totalGib - lower.total) / (upper.total - lower.total);
  const gib = pick(lower) + (pick(upper) - pick(lower)) * factor;
  // Neo4j rounds down to whole MiB.
  return Math.trunc(gib * 1024) * MIB;
}

/** What Neo4j recommends keeping outside heap and page cache for `totalBytes` of memory, in bytes. */
export function recommendedReserve(totalBytes: number): number {
  return interpolate(totalBytes, (b) => b.reserve);
}

/** The heap Neo4j recommends for `totalBytes` of memory, in bytes. */
export function recommendedHeap(totalBytes: number): number {
  return interpolate(totalBytes, (b) => b.heap);
}

/** The page cache Neo4j recommends for `totalBytes`: what the reserve and the heap leave, at least 8 MiB. */
export function recommendedPageCache(totalBytes: number): number {
  return Math.max(8 * MIB, totalBytes - recommendedReserve(totalBytes) - recommendedHeap(totalBytes));
}

/** A JVM argument the member passes through `server.jvm.additional`, which the image splits on spaces. */
const JVM_ARGUMENT = /^-\S+$/;
/** JVM flags that Neo4j sets from its own settings: a second copy would silently win or lose. */
const JVM_FLAGS_OWNED_BY_SETTINGS: [RegExp, string][] = [
  [/^-Xm[sx]/, "heapSize (server.memory.heap.*)"],
  [/^-XX:(Initial|Max|Min)HeapSize=/, "heapSize (server.memory.heap.*)"],
];

/**
 * Checks the limits and JVM arguments, and settles heap and page cache: with a memory limit, they
 * default to Neo4j's recommended split and must leave Neo4j's recommended reserve free.
 */
export function planResources(
  args: {
    resources?: MemberResourcesArgs;
    jvmAdditionalArgs?: string[];
    heapSize?: string;
    pageCacheSize?: string;
  },
  check: Checks,
): MemberResources {
  const heap = args.heapSize === undefined ? undefined : check.size("heapSize", args.heapSize);
  const pageCache =
    args.pageCacheSize === undefined ? undefined : check.size("pageCacheSize", args.pageCacheSize);
  const resources: MemberResources = {
    heapSize: args.heapSize,
    pageCacheSize: args.pageCacheSize,
    jvmAdditionalArgs: planJvmArgs(args.jvmAdditionalArgs, check),
  };
  if (args.resources === undefined) return resources;
  const given = check.object<MemberResourcesArgs>("resources", args.resources, ["cpus", "memory"]);

  if (given.cpus !== undefined) {
    const cpus = check.number("resources.cpus", given.cpus, { min: 0.01, max: 1024 });
    if (Math.round(cpus * 100) !== cpus * 100)
      throw check.fail("resources.cpus", `takes at most two decimals, as Docker does (got ${cpus})`);
    resources.cpus = String(cpus);
  }

  if (given.memory !== undefined) {
    const limit = check.size("resources.memory", given.memory, "256m");
    if (limit % MIB !== 0)
      throw check.fail(
        "resources.memory",
        `must be whole mebibytes, since Docker limits memory in MiB (got ${JSON.stringify(given.memory)})`,
      );
    resources.memoryBytes = limit;
    resources.memoryMb = limit / MIB;
    Object.assign(resources, fitMemory(limit, given.memory, { heap, pageCache }, check));
  }
  return resources;
}

/**
 * Heap and page cache within a memory limit: unset ones take Neo4j's recommendation, and together
 * they must leave the reserve Neo4j recommends for that much memory, since heap and page cache are
 * not all a JVM uses and a container over its limit is killed.
 */
function fitMemory(
  limit: number,
  limitText: string,
  given: { heap?: number; pageCache?: number },
  check: Checks,
): { heapSize: string; pageCacheSize: string } {
  const reserve = recommendedReserve(limit);
  const heap = given.heap ?? recommendedHeap(limit);
  const pageCache = given.pageCache ?? Math.max(8 * MIB, limit - reserve - heap);
  if (heap + pageCache + reserve > limit) {
    const field =
      given.heap !== undefined && given.pageCache !== undefined
        ? "heapSize and pageCacheSize"
        : given.heap !== undefined
          ? "heapSize"
          : "pageCacheSize";
    const verb = field.includes(" and ") ? "do" : "does";
    throw check.fail(
      field,
      `${verb} not fit within resources.memory ${limitText}: heap ${formatSize(heap)} + page cache ${formatSize(pageCache)} + the ${formatSize(reserve)} Neo4j recommends keeping free for native memory, thread stacks and the JVM itself = ${formatSize(heap + pageCache + reserve)}, over the limit; Neo4j's own split of ${limitText} is heap ${formatSize(recommendedHeap(limit))} and page cache ${formatSize(recommendedPageCache(limit))} (leave both unset to get it), or raise resources.memory`,
    );
  }
  return { heapSize: formatSize(heap), pageCacheSize: formatSize(pageCache) };
}

function planJvmArgs(given: unknown, check: Checks): string[] {
  if (given === undefined) return [];
  const args = check.list(
    "jvmAdditionalArgs",
    given,
    'JVM arguments, such as ["-XX:+ExitOnOutOfMemoryError"]',
  );
  return args.map((arg, i) => {
    if (typeof arg !== "string" || !JVM_ARGUMENT.test(arg))
      throw check.fail(
        `jvmAdditionalArgs[${i}]`,
        `must be one JVM argument starting with "-" and without spaces, since the image passes them as one space-separated setting (got ${JSON.stringify(arg)})`,
      );
    const owned = JVM_FLAGS_OWNED_BY_SETTINGS.find(([flag]) => flag.test(arg));
    if (owned)
      throw check.fail(
        `jvmAdditionalArgs[${i}]`,
        `sets what ${owned[1]} sets; use that instead (got ${arg})`,
      );
    return arg;
  });
}
