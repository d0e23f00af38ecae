import * as pulumi from "@pulumi/pulumi";
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

/**
 * A file from the machine running Pulumi, uploaded with its owner and mode. The provider reads it
 * when it creates the container, keeps only the path and hash in state (a jar would bloat it), and
 * replaces the container when the hash changes.
 */
export function ownedFileUpload(
  file: UploadedFile,
  source: pulumi.Input<{ path: string; sha256: string }>,
): docker.types.input.ContainerUpload {
  const local = pulumi.output(source);
  return {
    file: file.path,
    source: local.path,
    sourceHash: local.sha256,
    permissions: file.mode,
    owner: String(file.uid),
    group: String(file.gid),
  };
}
