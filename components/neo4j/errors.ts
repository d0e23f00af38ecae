/**
 * The one error type for bad input: it names the component, the resource name and the field, so a
 * user reading `pulumi preview` output knows exactly what to change.
 */
export class InputError extends Error {
  constructor(
    readonly component: string,
    readonly resourceName: string,
    /** The argument, as the user wrote it (`hostPorts.bolt`); empty for the argument object as a whole. */
    readonly field: string,
    /** What is wrong and what is accepted, without the component, resource and field. */
    readonly problem: string,
  ) {
    super(`${component} "${resourceName}": ${field === "" ? "" : `${field} `}${problem}`);
    this.name = "InputError";
  }
}

/** Binds the component and resource name once, so validation code only states the field and the problem. */
export function inputErrors(component: string, resourceName: string) {
  return (field: string, problem: string) => new InputError(component, resourceName, field, problem);
}
