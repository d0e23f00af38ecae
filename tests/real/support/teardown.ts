import { DockerApi } from "./docker-api";

/**
 * After the whole suite: nothing this run made may be left on the engine, whichever test failed.
 * Every object the replay creates carries the suite's id (see setup.ts) as a label.
 */
export default async function teardown(): Promise<void> {
  // For debugging a failed run by hand: leave everything as it is.
  if (process.env.NEO4J_ESTATE_KEEP) return;
  const docker = new DockerApi();
  const filter = encodeURIComponent(
    JSON.stringify({ label: [`neo4j-estate.suite=${process.env.NEO4J_ESTATE_SUITE}`] }),
  );
  const containers = await docker.request<{ Id: string }[]>(
    "GET",
    `/containers/json?all=1&filters=${filter}`,
  );
  for (const c of containers)
    await docker.request("DELETE", `/containers/${c.Id}?v=1&force=1`, undefined, { allow: [404] });
  const volumes = await docker.request<{ Volumes: { Name: string }[] | null }>(
    "GET",
    `/volumes?filters=${filter}`,
  );
  for (const v of volumes.Volumes ?? [])
    await docker.request("DELETE", `/volumes/${encodeURIComponent(v.Name)}?force=1`, undefined, {
      allow: [404],
    });
  const networks = await docker.request<{ Id: string }[]>("GET", `/networks?filters=${filter}`);
  for (const n of networks) await docker.request("DELETE", `/networks/${n.Id}`, undefined, { allow: [404] });
}
