import * as pulumi from "@pulumi/pulumi";

/**
 * The Kubernetes provider's annotation that makes its server-side apply take the fields it sets
 * even where another field manager changed them since.
 */
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";

/** A plain object, not an Output or a promise: something whose keys can be read now. */
const isPlain = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" &&
  value !== null &&
  !pulumi.Output.isInstance(value) &&
  typeof (value as { then?: unknown }).then !== "function";

/**
 * Marks one Kubernetes object's arguments so that the program's values win over hand edits:
 * without it, a field someone changed with `kubectl edit` or `kubectl apply` belongs to their
 * field manager, `pulumi refresh` reports the change, and the next `pulumi up` stops on a
 * server-side apply conflict instead of putting the program's value back (seen on the real API
 * server tier). Fields the program does not set stay whoever's they are. Only plain metadata is
 * touched, so that nothing known in a preview becomes unknown; Patch resources, which exist to
 * share an object with others, are left alone.
 */
export function forceOwnFields(
  args: pulumi.ResourceTransformationArgs,
): pulumi.ResourceTransformationResult | undefined {
  if (
    !args.type.startsWith("kubernetes:") ||
    args.type.endsWith("Patch") ||
    args.type.startsWith("pulumi:providers:")
  )
    return undefined;
  const metadata = args.props.metadata;
  if (!isPlain(metadata)) return undefined;
  const annotations = metadata.annotations;
  const merged =
    annotations === undefined
      ? { [PATCH_FORCE_ANNOTATION]: "true" }
      : isPlain(annotations)
        ? { ...annotations, [PATCH_FORCE_ANNOTATION]: "true" }
        : pulumi
            .output(annotations as pulumi.Input<Record<string, string>>)
            .apply((a) => ({ ...a, [PATCH_FORCE_ANNOTATION]: "true" }));
  return { props: { ...args.props, metadata: { ...metadata, annotations: merged } }, opts: args.opts };
}

/** `opts` with forceOwnFields applied to every Kubernetes object the component registers below it. */
export function withOwnFields<T extends pulumi.ComponentResourceOptions>(opts: T | undefined): T {
  return { ...(opts ?? ({} as T)), transformations: [...(opts?.transformations ?? []), forceOwnFields] };
}
