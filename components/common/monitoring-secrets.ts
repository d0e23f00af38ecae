import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { checkedInput } from "./checked-input";
import { argChecks } from "../neo4j/checks";
import { MONITORING_STACK, checkGrafanaAdminPassword } from "../monitoring/spec";
import { AlertmanagerPlan, checkSecretValue, renderAlertmanagerConfig } from "../monitoring/alertmanager";

/**
 * Grafana's admin password as a secret, on every platform: the one given, checked (again once an
 * output resolves), or a random one of 32 letters and digits.
 */
export function grafanaPasswordFor(
  parent: pulumi.Resource,
  name: string,
  given: pulumi.Input<string> | undefined,
): pulumi.Output<string> {
  if (given !== undefined)
    return pulumi.secret(checkedInput(given, (password) => checkGrafanaAdminPassword(name, password)));
  const generated = new random.RandomPassword(
    `${name}-grafana-admin-password`,
    { length: 32, special: false },
    { parent },
  );
  return pulumi.secret(generated.result);
}

/** One file the Alertmanager reads: its path from the core's plan and its content. */
export interface AlertmanagerFile {
  path: string;
  content: pulumi.Output<string>;
  /** Whether the content is a secret (every receiver secret; the config when it holds one inline). */
  secret: boolean;
}

/**
 * The Alertmanager's files, on every platform: alertmanager.yml and one file per receiver secret.
 * Every secret is checked when it resolves and stays a Pulumi secret; the config turns secret only
 * when it holds one inline (a webhook URL before Alertmanager 0.26). Docker uploads them into the
 * container, Kubernetes puts them in a Secret mounted as files.
 */
export function alertmanagerFiles(
  name: string,
  plan: AlertmanagerPlan,
  configFile: string,
): AlertmanagerFile[] {
  const check = argChecks(MONITORING_STACK, name);
  const values = plan.secrets.map((s) =>
    pulumi.secret(checkedInput(s.value as pulumi.Input<string>, (v) => checkSecretValue(check, s, v))),
  );
  const inline = plan.secrets.map((s, i) => (s.file === undefined ? values[i] : undefined));
  const config = plan.configHoldsSecrets
    ? pulumi.all(inline).apply((resolved) => renderAlertmanagerConfig(plan, resolved))
    : pulumi.output(renderAlertmanagerConfig(plan));
  return [
    { path: configFile, content: config, secret: plan.configHoldsSecrets },
    ...plan.secrets.flatMap((s, i) =>
      s.file === undefined ? [] : [{ path: s.file, content: values[i], secret: true }],
    ),
  ];
}
