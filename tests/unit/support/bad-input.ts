import { RecordedResource, settle } from "./pulumi-mocks";

/**
 * Constructs a component that must be refused, and returns the error message after checking that
 * the mock runtime saw no resource registered, not even the component itself. Registrations reach
 * the mock runtime a few turns of the event loop later; a table of refusals should also check, once
 * after all its cases (refusalsRegisteredNothing), that nothing arrived late.
 */
export async function refusedBeforeRegistering(
  recorded: RecordedResource[],
  construct: () => unknown,
): Promise<string> {
  const before = recorded.length;
  let message: string | undefined;
  try {
    construct();
  } catch (e) {
    message = (e as Error).message;
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (message === undefined) throw new Error("expected the constructor to refuse its arguments");
  expect(recorded.slice(before).map((r) => `${r.type} ${r.name}`)).toEqual([]);
  return message;
}

/**
 * For an afterAll of a table of refusals: after everything has settled, nothing was registered
 * beyond the first `baseline` resources (what the test set up, such as a cluster to back up).
 */
export async function refusalsRegisteredNothing(recorded: RecordedResource[], baseline = 0): Promise<void> {
  await settle();
  expect(recorded.slice(baseline).map((r) => `${r.type} ${r.name}`)).toEqual([]);
}
