import * as pulumi from "@pulumi/pulumi";
import { CertificateInputs, certificateProvider } from "./provider";

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/**
 * A certificate (or certificate authority) the estate makes for itself, with its private key kept
 * as a Pulumi secret. Pulumi's TLS provider would do the same, but its plugin cannot be had
 * everywhere this library runs; Node's crypto can.
 */
export class EstateCertificate extends pulumi.dynamic.Resource {
  /** The certificate, PEM. */
  declare readonly certificate: pulumi.Output<string>;
  /** Its private key, PKCS #8 PEM (secret). */
  declare readonly privateKey: pulumi.Output<string>;
  /** When it expires, ISO 8601. */
  declare readonly notAfter: pulumi.Output<string>;

  constructor(name: string, inputs: Inputs<CertificateInputs>, opts: pulumi.CustomResourceOptions) {
    super(
      certificateProvider,
      name,
      { ...inputs, certificate: undefined, privateKey: undefined, notBefore: undefined, notAfter: undefined },
      { ...opts, additionalSecretOutputs: ["privateKey"] },
    );
  }
}
