import * as pulumi from "@pulumi/pulumi";

/**
 * The API-server tier's clusters run no scheduler and no kubelet, so no pod ever becomes Ready and
 * no Service ever gets endpoints: the Kubernetes provider must not wait for either, or every
 * `pulumi up` would wait out its timeout. This marks every Kubernetes object with the provider's
 * own opt-out (`pulumi.com/skipAwait`) before it is registered; nothing else changes.
 */
export function skipAwaitEverywhere(): void {
  // A stack transformation runs in the program itself, before registration.
  pulumi.runtime.registerStackTransformation((args) => {
    if (!args.type.startsWith("kubernetes:")) return undefined;
    const metadata = (args.props.metadata ?? {}) as { annotations?: Record<string, string> };
    return {
      props: {
        ...args.props,
        metadata: { ...metadata, annotations: { ...metadata.annotations, "pulumi.com/skipAwait": "true" } },
      },
      opts: args.opts,
    };
  });
}
