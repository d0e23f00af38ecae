/**
 * What both composites (Neo4jEnterprise on Docker and on Kubernetes) share about their parts: the
 * plain-object switch a part takes, and how a part's refusal is reported in the composite's words.
 */
import { InputError } from "../neo4j/errors";

/**
 * A part that is on by default where the cluster supports it. A plain object rather than
 * `boolean | Args`, so that a multi-language package schema can express it.
 */
export interface PartToggle {
  /** Deploy this part. Default: true where the cluster supports it; `false` for none. */
  enabled?: boolean;
}

/** Runs a part's validator, and names the composite and the field as its arguments spell it when the part refuses. */
export function withinPart<T>(component: string, name: string, field: string, validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const inPart = e.field === "name" ? "name" : e.field === "" ? field : `${field}.${e.field}`;
    throw new InputError(component, name, inPart, e.problem);
  }
}
