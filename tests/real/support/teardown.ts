import { DockerApi } from "./docker-api";

/**
 * After the whole suite: nothing of ours may be left on the engine, whichever test failed. Every
 * object the replay creates carries the `neo4j-estate.replay` label.
 */
export default async function teardown(): Promise<void> {
  const docker = new DockerApi();
  const filter = encodeURIComponent(JSON.stringify({ label: ["neo4j-estate.replay"] }));
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
