// Fails the acceptance run before any test when the machine cannot deploy the estate.
const { spawnSync } = require("child_process");
const { checkPrerequisites } = require("../../scripts/estate.js");

module.exports = async function prerequisites() {
  const run = (command, args) => {
    const r = spawnSync(command, args, { encoding: "utf8" });
    return {
      missing: r.error && r.error.code === "ENOENT",
      status: r.status,
      stdout: r.stdout || "",
      stderr: r.stderr || "",
    };
  };
  const problems = checkPrerequisites(run, process.env);
  if (problems.length)
    throw new Error(`npm run test:e2e cannot run on this machine:\n- ${problems.join("\n- ")}`);
};
