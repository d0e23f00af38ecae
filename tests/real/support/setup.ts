/**
 * Before the whole suite: one id for this run, inherited by every test file, so that the
 * teardown removes what this run made and nothing a concurrent run of the suite is using.
 */
export default function setup(): void {
  process.env.NEO4J_ESTATE_SUITE ??= `suite-${process.pid}-${Date.now().toString(36)}`;
}
