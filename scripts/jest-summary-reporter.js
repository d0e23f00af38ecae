/**
 * Ends a jest run with one plain line, `N passed, N failed` (`, N skipped` when any were), that
 * any CI can read as the run's verdict. With JEST_SUMMARY_FILE set, the line goes to that file
 * instead, so the calling script can print it after everything else (the test server's shutdown).
 */
const fs = require("fs");

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`;
    if (process.env.JEST_SUMMARY_FILE) fs.writeFileSync(process.env.JEST_SUMMARY_FILE, `${line}\n`);
    else process.stdout.write(`\n${line}\n`);
  }
}

module.exports = SummaryReporter;
