import { createHash } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";
import { MavenArtifact, artifactPath } from "../../components/common/maven";

/**
 * A Maven repository on 127.0.0.1 serving one jar and its SHA-1 (a wrong SHA-1 when asked), laid
 * out as Maven Central is; `requests` lists what was asked for.
 */
export async function mavenRepository(
  artifact: MavenArtifact,
  jar: Buffer,
  options: { wrongSha1?: boolean } = {},
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const relative = artifactPath(artifact);
  const sha1 = createHash("sha1")
    .update(options.wrongSha1 ? "other" : jar)
    .digest("hex");
  const server = http.createServer((req, res) => {
    requests.push(req.url!);
    if (req.url === `/maven2/${relative}`) res.end(jar);
    else if (req.url === `/maven2/${relative}.sha1`) res.end(`${sha1}  ${relative.split("/").pop()}\n`);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/maven2`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
