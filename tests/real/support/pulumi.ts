import { execFileSync, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * One stack of a Pulumi program in this repository, driven through the real `pulumi` CLI as a user
 * runs it: the file backend and the passphrase secrets provider, non-interactive, every command's
 * output kept so that a test can search all of it for secrets.
 *
 * Nothing is written outside one temporary folder: the backend (`PULUMI_BACKEND_URL` rather than
 * `pulumi login`, which would change the login of everyone on the machine), `PULUMI_HOME`
 * (workspaces, logs) and the stack's config file, which `pulumi stack init` writes beside
 * Pulumi.yaml and which is moved out at once and named with `--config-file` from then on.
 */

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** What one command printed and how it ended. */
export interface CommandResult {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in the order they came. */
  output: string;
  /** Wall-clock time. */
  ms: number;
  /**
   * CPU time (user + system) of the CLI and every process it started and waited for (the
   * program's Node.js host, the dynamic-provider process): steadier than `ms` on a busy machine.
   */
  cpuMs: number;
}

/**
 * The folder holding `pulumi` and `pulumi-language-nodejs`: PULUMI_ENGINE_DIR (set by
 * scripts/test-real.sh), else what scripts/provision/pulumi-engine.sh prints (it builds the
 * engine from Go modules when the cache has none).
 */
export function pulumiEngineDir(): string {
  if (process.env.PULUMI_ENGINE_DIR) return process.env.PULUMI_ENGINE_DIR;
  return execFileSync("bash", [path.join(REPO_ROOT, "scripts", "provision", "pulumi-engine.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

export interface StackOptions {
  /** The program's folder, holding its Pulumi.yaml. */
  programDir: string;
  /** The stack's name; distinct per run. */
  stack: string;
  /** Folders searched for commands and ambient plugins (such as a provider built here), first. */
  path?: string[];
  /** More environment for every command (such as KUBECONFIG). */
  env?: NodeJS.ProcessEnv;
}

export class PulumiStack {
  readonly transcript: CommandResult[] = [];
  /** Everything Pulumi writes: backend, PULUMI_HOME and the stack's config file. */
  readonly workDir: string;
  private readonly configFile: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: StackOptions) {
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), "neo4j-estate-pulumi-"));
    this.configFile = path.join(this.workDir, `Pulumi.${options.stack}.yaml`);
    const backend = path.join(this.workDir, "backend");
    const home = path.join(this.workDir, "home");
    fs.mkdirSync(backend);
    fs.mkdirSync(home);
    // The dynamic-provider shim, pulumi-resource-pulumi-nodejs, ships inside @pulumi/pulumi.
    const shimDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [REPO_ROOT] }));
    this.env = {
      ...process.env,
      ...options.env,
      PATH: [pulumiEngineDir(), shimDir, ...(options.path ?? []), process.env.PATH].join(path.delimiter),
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_HOME: home,
      PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
      PULUMI_SKIP_UPDATE_CHECK: "1",
      // `npx tsc --noEmit` type-checks the programs with the rest of the repository; ts-node
      // checking them again on every command would only cost time.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
  }

  /**
   * Runs `pulumi <args>` in the program's folder. Resolves with the result whatever the exit code;
   * `expectSuccess` throws with the output when it is not 0.
   */
  run(args: string[], input?: string): Promise<CommandResult> {
    const command = `pulumi ${args.join(" ")}`;
    const started = performance.now();
    const timesFile = path.join(this.workDir, "times");
    return new Promise((resolve, reject) => {
      // bash's `times` reports the CPU time of the children it waited for, descendants included.
      const child = spawn(
        "bash",
        [
          "-c",
          'pulumi "$@"; status=$?; times >"$0"; exit $status',
          timesFile,
          ...args,
          "--non-interactive",
          "--color=never",
        ],
        { cwd: this.options.programDir, env: this.env, stdio: ["pipe", "pipe", "pipe"] },
      );
      let stdout = "";
      let stderr = "";
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk;
        output += chunk;
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk;
        output += chunk;
      });
      child.once("error", reject);
      child.once("close", (code) => {
        const ms = performance.now() - started;
        const result = {
          command,
          code: code ?? 1,
          stdout,
          stderr,
          output,
          ms,
          cpuMs: childrenCpuMs(timesFile),
        };
        this.transcript.push(result);
        resolve(result);
      });
      child.stdin.end(input ?? "");
    });
  }

  async expectSuccess(args: string[], input?: string): Promise<CommandResult> {
    const result = await this.run(args, input);
    if (result.code !== 0) {
      throw new Error(`\`${result.command}\` exited with ${result.code}:\n${result.output}`);
    }
    return result;
  }

  /** A stack command: names the stack and its config file. */
  stackCommand(args: string[], input?: string): Promise<CommandResult> {
    return this.run([...args, "--stack", this.options.stack, "--config-file", this.configFile], input);
  }

  async expectStackCommand(args: string[], input?: string): Promise<CommandResult> {
    const result = await this.stackCommand(args, input);
    if (result.code !== 0) {
      throw new Error(`\`${result.command}\` exited with ${result.code}:\n${result.output}`);
    }
    return result;
  }

  /** Creates the stack and moves the config file it writes out of the program's folder. */
  async init(): Promise<void> {
    await this.expectSuccess(["stack", "init", this.options.stack]);
    fs.renameSync(path.join(this.options.programDir, `Pulumi.${this.options.stack}.yaml`), this.configFile);
  }

  /** Sets a plain config value. */
  async config(key: string, value: string): Promise<void> {
    await this.expectStackCommand(["config", "set", key, value]);
  }

  /** Sets a secret config value, passed on stdin so that it is on no command line. */
  async secret(key: string, value: string): Promise<void> {
    await this.expectStackCommand(["config", "set", "--secret", key], value);
  }

  async removeConfig(key: string): Promise<void> {
    await this.expectStackCommand(["config", "rm", key]);
  }

  /**
   * What `pulumi preview --json` would change, one `op type::name` per step that is not `same`,
   * sorted: a plan to compare whole, so that an unexpected extra step fails the test.
   */
  async plannedChanges(): Promise<string[]> {
    const result = await this.expectStackCommand(["preview", "--json"]);
    const steps = (JSON.parse(result.stdout) as { steps?: { op: string; urn: string }[] }).steps ?? [];
    return steps
      .filter((s) => s.op !== "same")
      .map((s) => {
        // urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>: the type without its parents.
        const [, , types, name] = s.urn.split("::");
        return `${s.op} ${types.split("$").pop()}::${name}`;
      })
      .sort();
  }

  /** `pulumi stack export`: the state as the backend holds it. */
  async exportState(): Promise<string> {
    return (await this.expectSuccess(["stack", "export", "--stack", this.options.stack])).stdout;
  }

  /** Every file Pulumi wrote (state with its history and backups, logs, config): path → text. */
  writtenFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) files[path.relative(this.workDir, full)] = fs.readFileSync(full, "latin1");
      }
    };
    walk(this.workDir);
    return files;
  }

  /** Removes the stack (after `pulumi destroy`) and everything Pulumi wrote. */
  async remove(): Promise<void> {
    await this.run(["stack", "rm", this.options.stack, "--yes", "--force"]);
    fs.rmSync(path.join(this.options.programDir, `Pulumi.${this.options.stack}.yaml`), { force: true });
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** The children's user + system time from the second line of bash's `times` (`0m1.234s 0m0.056s`). */
function childrenCpuMs(timesFile: string): number {
  const children = fs.readFileSync(timesFile, "utf8").trim().split("\n")[1] ?? "";
  return [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, minutes, secs]) => sum + (Number(minutes) * 60 + Number(secs)) * 1000,
    0,
  );
}
