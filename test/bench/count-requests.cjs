// Preloaded into the local runtime's function processes by the cost bench (NODE_OPTIONS=--require):
// appends one line per AWS SDK request (client, command, billed items) to OZ_BENCH_REQUEST_LOG, so
// the bench counts the DynamoDB, S3, SQS and Step Functions requests a check really makes.
/* global require, process, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('node:fs');
const path = require('node:path');

const log = process.env.OZ_BENCH_REQUEST_LOG;
if (log) {
  const repo = path.resolve(__dirname, '../..');
  const { Client } = require(require.resolve('@smithy/core/client', { paths: [repo] }));
  const send = Client.prototype.send;
  // Items a request bills for: one per item of a batch (two per item of a transaction), else one.
  const items = (input) => {
    if (!input || typeof input !== 'object') return 1;
    if (Array.isArray(input.TransactItems)) return 2 * input.TransactItems.length;
    if (input.RequestItems && typeof input.RequestItems === 'object') {
      return Object.values(input.RequestItems).reduce((n, v) => n + (Array.isArray(v) ? v.length : Array.isArray(v && v.Keys) ? v.Keys.length : 1), 0);
    }
    if (Array.isArray(input.Entries)) return input.Entries.length;
    return 1;
  };
  Client.prototype.send = function (command, ...rest) {
    try {
      fs.appendFileSync(log, `${this.constructor.name} ${command.constructor.name} ${items(command.input)}\n`);
    } catch {
      // counting must never break a request
    }
    return send.call(this, command, ...rest);
  };
}
