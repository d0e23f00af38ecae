import * as pulumi from "@pulumi/pulumi";

/**
 * Checks an argument that may be a Pulumi output with a core checker: at once when it is a plain
 * value, so a bad one fails before anything is registered, and again when an output resolves, so
 * a value that arrives later is refused with the same message instead of reaching a container.
 */
export function checkedInput<T, U = T>(
  input: pulumi.Input<T>,
  check: (value: unknown) => U,
): pulumi.Output<U> {
  if (!pulumi.Output.isInstance(input) && !(input instanceof Promise)) check(input);
  return pulumi.output(input).apply((value) => check(value));
}
