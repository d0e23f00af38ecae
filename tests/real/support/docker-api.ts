import * as http from "http";

/**
 * A small client for the Docker Engine API over its unix socket: the calls the Docker provider
 * makes for the resources our components register, and the few the tests need to inspect them.
 * Plain HTTP, so the tests exercise the same API the provider does without another dependency.
 */
export class DockerApi {
  constructor(private readonly socketPath = process.env.DOCKER_SOCKET ?? "/var/run/docker.sock") {}

  /** Sends one request; resolves the parsed JSON body (or the raw text) and fails on a non-2xx status. */
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { contentType?: string; timeoutMs?: number; allow?: number[] } = {},
  ): Promise<T> {
    const payload =
      body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          method,
          path,
          headers: payload
            ? { "Content-Type": options.contentType ?? "application/json", "Content-Length": payload.length }
            : {},
          timeout: options.timeoutMs ?? 120_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if ((status < 200 || status >= 300) && !(options.allow ?? []).includes(status)) {
              reject(new Error(`Docker API ${method} ${path}: ${status} ${text.trim()}`));
              return;
            }
            try {
              resolve((text ? JSON.parse(text) : undefined) as T);
            } catch {
              resolve(text as unknown as T);
            }
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`Docker API ${method} ${path}: no answer in time`)));
      req.on("error", reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** The raw log stream of a container, demultiplexed into text. */
  async logs(id: string): Promise<string> {
    const raw = await new Promise<Buffer>((resolve, reject) => {
      http
        .get({ socketPath: this.socketPath, path: `/containers/${id}/logs?stdout=1&stderr=1` }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve(Buffer.concat(chunks)));
        })
        .on("error", reject);
    });
    let text = "";
    for (let i = 0; i + 8 <= raw.length;) {
      const size = raw.readUInt32BE(i + 4);
      text += raw.subarray(i + 8, i + 8 + size).toString("utf8");
      i += 8 + size;
    }
    return text;
  }

  /** Runs a command in a running container and returns its exit code and output. */
  async exec(id: string, cmd: string[], user?: string): Promise<{ exitCode: number; output: string }> {
    const created = await this.request<{ Id: string }>("POST", `/containers/${id}/exec`, {
      Cmd: cmd,
      AttachStdout: true,
      AttachStderr: true,
      ...(user ? { User: user } : {}),
    });
    const raw = await this.request<string>("POST", `/exec/${created.Id}/start`, { Detach: false, Tty: true });
    const info = await this.request<{ ExitCode: number }>("GET", `/exec/${created.Id}/json`);
    return { exitCode: info.ExitCode, output: String(raw ?? "") };
  }
}

/**
 * One regular file as a tar archive (ustar), the way the Docker provider packs an upload: the
 * path is the archive member's name, extracted at `/`, with the given mode and owner.
 */
export function tarOneFile(path: string, content: Buffer, mode: number, uid = 0, gid = 0): Buffer {
  const name = path.replace(/^\/+/, "");
  if (Buffer.byteLength(name) > 100) throw new Error(`upload path too long for this tar writer: ${path}`);
  const header = Buffer.alloc(512, 0);
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0") + "\0";
  header.write(name, 0, 100, "utf8");
  header.write(octal(mode, 8), 100, 8, "ascii");
  header.write(octal(uid, 8), 108, 8, "ascii");
  header.write(octal(gid, 8), 116, 8, "ascii");
  header.write(octal(content.length, 12), 124, 12, "ascii");
  header.write(octal(Math.floor(Date.now() / 1000), 12), 136, 12, "ascii");
  header.write("        ", 148, 8, "ascii");
  header.write("0", 156, 1, "ascii");
  header.write("ustar\0" + "00", 257, 8, "ascii");
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512, 0);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024, 0)]);
}
