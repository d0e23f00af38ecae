import type * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";

/** Where a file uploaded into a container goes, and who may read it there. */
export interface UploadedFile {
  path: string;
  /** Octal, as the Docker provider takes it: `0400`. */
  mode: string;
  uid: number;
  gid: number;
}

/**
 * A docker.Container upload with its owner and mode. The provider writes uploads as root, 0644,
 * unless told otherwise; numeric ids need no user database on the machine running Pulumi.
 */
export function ownedUpload(
  file: UploadedFile,
  content: pulumi.Input<string>,
): docker.types.input.ContainerUpload {
  return {
    file: file.path,
    content,
    permissions: file.mode,
    owner: String(file.uid),
    group: String(file.gid),
  };
}
