/**
 * The arguments every component that runs containers takes alike: the restart policy and extra
 * labels. One check, so that Neo4jCluster, BackupVolume and MonitoringStack accept the same values.
 */
import { Checks, orDefault } from "./checks";
import { OWN_LABEL_PREFIX, RESTART_POLICIES } from "./names";

/** Checks `restart` (one of Docker's policies) and `labels` (string values, none of the components' own). */
export function checkContainerArgs(check: Checks, args: { restart?: unknown; labels?: unknown }): void {
  orDefault(args.restart, undefined, (v) => check.oneOf("restart", v, RESTART_POLICIES));
  orDefault(args.labels, undefined, (v) => {
    const labels = check.stringMap("labels", v, "label names and string values");
    for (const key of Object.keys(labels))
      if (key.startsWith(OWN_LABEL_PREFIX))
        throw check.fail(
          `labels[${JSON.stringify(key)}]`,
          `is in the ${OWN_LABEL_PREFIX} namespace, which the components use for their own labels; choose another name`,
        );
  });
}
