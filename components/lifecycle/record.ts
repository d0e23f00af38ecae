import type * as pulumi from "@pulumi/pulumi";
import { DeployedShape, RecordedMember, judgeChange, judgeMembers } from "../neo4j/changes";
import { Formation } from "../neo4j/formation";

/**
 * The cluster's record: what was deployed last (image, version, edition, discovery, members) and
 * what the cluster formed with. Its provider is the first thing Neo4jCluster registers, and its
 * `check` compares the desired shape with the recorded one: a change Neo4j cannot make in place
 * fails `pulumi preview` here, with the way there, before anything is touched. The formation is
 * recorded at the first deployment and carried forward by `check` ever after, so the members'
 * settings that depend on it never change with scaling, and stay known in every preview.
 */

export interface RecordInputs {
  /** The Neo4jCluster's name, for messages. */
  resourceName: string;
  shape: DeployedShape;
  members: RecordedMember[];
  /** The formation this shape would have; only the first deployment's is kept. */
  formation: Formation;
}

const log = (message: string) => console.log(message);

const sameMembers = (a: RecordedMember[], b: RecordedMember[]) =>
  JSON.stringify(a.map((m) => [m.name, m.mode])) === JSON.stringify(b.map((m) => [m.name, m.mode]));

/** The verdicts on a change from the recorded inputs to the desired ones. */
export function judgeRecord(olds: Partial<RecordInputs>, news: RecordInputs) {
  const formation = olds.formation ?? news.formation;
  const shape = olds.shape ? judgeChange(news.resourceName, olds.shape, news.shape) : { summary: [] };
  const members = olds.members
    ? judgeMembers(news.resourceName, formation, olds.members, news.members)
    : { summary: [] };
  return { formation, verdicts: [shape, members] };
}

export const recordProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Partial<RecordInputs>, news: RecordInputs) {
    const { formation, verdicts } = judgeRecord(olds, news);
    const failures = verdicts.flatMap((v) =>
      v.refusal ? [{ property: "", reason: v.refusal.message }] : [],
    );
    return { inputs: { ...news, formation }, failures };
  },

  async diff(_id: string, olds: RecordInputs, news: RecordInputs) {
    const { verdicts } = judgeRecord(olds, news);
    for (const line of verdicts.flatMap((v) => v.summary))
      log(`Neo4jCluster "${news.resourceName}": ${line}`);
    const changes =
      JSON.stringify(olds.shape) !== JSON.stringify(news.shape) || !sameMembers(olds.members, news.members);
    return { changes };
  },

  async create(inputs: RecordInputs) {
    return { id: `neo4j-cluster-${inputs.resourceName}`, outs: inputs };
  },

  async update(_id: string, _olds: RecordInputs, news: RecordInputs) {
    return { outs: news };
  },
};
