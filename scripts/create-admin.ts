// npm run create-admin -- --email E --password P
// With OZ_TABLE_NAME set (the deployed stack's TableName output, AWS credentials in the
// environment) it writes to that table; otherwise to the local runtime's data (OZ_DATA_DIR).
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checkPassword, newUser } from '../layers/core/admin';
import { SYSTEM_COMPANY_ID } from '../layers/core/entities';
import { ApiError } from '../layers/core/errors';
import { systemClock } from '../layers/core/ports';
import { dynamoStoragePorts } from '../layers/adapters/dynamo';
import { startLocalRuntime } from '../infra/local/runtime';
import { REPO_ROOT } from '../infra/stack';

async function main() {
  const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' } } });
  if (!values.email || !values.password) throw new Error('usage: npm run create-admin -- --email E --password P');
  checkPassword(values.password);
  const table = process.env.OZ_TABLE_NAME;
  if (table) {
    const client = new DynamoDBClient(process.env.OZ_DYNAMODB_ENDPOINT ? { endpoint: process.env.OZ_DYNAMODB_ENDPOINT } : {});
    const { identity } = dynamoStoragePorts(client, table);
    if (await identity.getUserByEmail(values.email)) throw new Error(`a user with email ${values.email} already exists in ${table}`);
    const user = await newUser({ identity, clock: systemClock, ids: { uuid: randomUUID } }, { email: values.email, password: values.password, company_id: SYSTEM_COMPANY_ID, user_type: 'ADMIN', first_name: 'Admin' });
    console.log(`created ADMIN ${user.email} (${user.user_id}) in table ${table}`);
    return;
  }
  const dataDir = path.resolve(process.env.OZ_DATA_DIR ?? path.join(REPO_ROOT, '.oz-data'));
  console.log(`No OZ_TABLE_NAME: creating the ADMIN in the local data at ${dataDir} (stop npm start first).`);
  const runtime = await startLocalRuntime({ port: 0, dataDir, adminEmail: values.email, adminPassword: values.password, log: (l) => console.log(l) });
  await runtime.stop();
  console.log('done.');
}

main().catch((err) => {
  console.error(err instanceof ApiError || err instanceof Error ? err.message : String(err));
  process.exit(1);
});
