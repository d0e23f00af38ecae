/**
 * The one error type for bad input: it names the component, the resource name and the field, so a
 * user reading `pulumi preview` output knows exactly what to change.
 */
export class InputError extends Error {
  constructor(component: string, resourceName: string, field: string, problem: string) {
    super(`${component} "${resourceName}": ${field} ${problem}`);
    this.name = "InputError";
  }
}

/** Binds the component and resource name once, so validation code only states the field and the problem. */
export function inputErrors(component: string, resourceName: string) {
  return (field: string, problem: string) => new InputError(component, resourceName, field, problem);
}
