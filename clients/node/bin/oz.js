#!/usr/bin/env node
// The `oz` command. The client is written in TypeScript and run through tsx, so the CLI works
// straight from a checkout after `npm ci`, with no build step.
'use strict';
/* global require, process */
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('tsx/cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../src/cli.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
