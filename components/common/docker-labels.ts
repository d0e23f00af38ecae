import type * as docker from "@pulumi/docker";

/** Docker labels in @pulumi/docker's list form, sorted so a resource's inputs diff stably. */
export function dockerLabels(labels: Record<string, string>): docker.types.input.ContainerLabel[] {
  return Object.keys(labels)
    .sort()
    .map((label) => ({ label, value: labels[label] }));
}
