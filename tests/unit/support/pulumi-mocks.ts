import * as pulumi from "@pulumi/pulumi";
import { CertificateInputs, makeCertificate } from "../../../components/tls/provider";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Installs Pulumi's mock runtime and records every resource registered, so a test can assert on
 * what a component would create. Mocked outputs are the inputs plus the computed values real
 * providers return (image ids, generated passwords).
 */
export function recordResources(): RecordedResource[] {
  const recorded: RecordedResource[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs, ...mockedOutputs.get(args.name) };
        if (args.type === "docker:index/remoteImage:RemoteImage")
          state.imageId = `sha256:mock-${args.inputs.name}`;
        if (args.type === "random:index/randomPassword:RandomPassword")
          state.result = "generated-password-0123456789abcdef";
        if (args.type === "docker:index/container:Container") state.id = `container-${args.name}`;
        // The estate's certificates: made by the provider's own function, as `pulumi up` would.
        if (
          args.type === "pulumi-nodejs:dynamic:Resource" &&
          (args.inputs.role === "authority" || args.inputs.role === "certificate")
        )
          Object.assign(state, makeCertificate(unwrapSecrets(args.inputs) as CertificateInputs, Date.now()));
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    "project",
    "stack",
    false,
  );
  return recorded;
}

/**
 * Outputs a test wants a resource to have beyond its inputs, by resource name: what a provider
 * would return, such as the formation a cluster's record kept from an earlier deployment.
 */
export const mockedOutputs = new Map<string, Record<string, unknown>>();

/** The resource options each child of a component was registered with, by resource name. */
export interface RecordedOptions {
  byName: Map<string, pulumi.CustomResourceOptions>;
  /** Pass as the component's `transformations` option; it runs for every child, in the SDK. */
  transformation: pulumi.ResourceTransformation;
}

export function recordOptions(): RecordedOptions {
  const byName = new Map<string, pulumi.CustomResourceOptions>();
  return {
    byName,
    transformation: (args) => {
      byName.set(args.name, args.opts);
      return undefined;
    },
  };
}

/** The names of the resources a resource explicitly depends on (its dependsOn option). */
export function dependsOnNames(opts: pulumi.CustomResourceOptions | undefined): string[] {
  const list = opts?.dependsOn;
  const resources = (Array.isArray(list) ? list : list ? [list] : []) as pulumi.Resource[];
  return resources.map((r) => (r as unknown as { __name: string }).__name);
}

/** Resolves an Output in a test (the mock runtime resolves everything that is known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Resolves an Output together with whether it is secret. */
export async function secretAndValue<T>(output: pulumi.Output<T>): Promise<{ secret: boolean; value: T }> {
  return { secret: await pulumi.isSecret(output), value: await valueOf(output) };
}

/** Lets the mock runtime finish registering resources created in apply callbacks. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200));
}

export function byType(recorded: RecordedResource[], type: string): RecordedResource[] {
  return recorded.filter((r) => r.type === type);
}

/** Pulumi's marker for a secret value in serialized resource inputs: what the engine stores encrypted. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Unwraps a serialized input that must be secret; fails the test if it is not. */
export function unwrapSecretInput(value: unknown): unknown {
  const record = value as Record<string, unknown> | undefined;
  if (!record || record[SECRET_SIG] !== SECRET_VALUE)
    throw new Error(`expected a secret input, got ${JSON.stringify(value)}`);
  return record.value;
}

/** Every secret wrapper removed, as the engine hands inputs to a provider. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG] === SECRET_VALUE) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Every string in serialized inputs that is not inside a secret: what state would hold in plain text. */
export function plaintextStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => plaintextStrings(v, out));
  else if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return out;
    Object.values(record).forEach((v) => plaintextStrings(v, out));
  }
  return out;
}
