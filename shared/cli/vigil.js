#!/usr/bin/env node
// The `vigil` binary: runs the TypeScript CLI from a checkout through tsx's CommonJS loader.
'use strict';
require('tsx/cjs');
require('./main.ts')
  .main(process.argv.slice(2))
  .catch((error) => {
    process.stderr.write(`vigil: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
