// npm run delete-user -- --email E   (or --user-id ID): the command-line user deletion of the
// documents (changelog 4.0.8). With OZ_TABLE_NAME set (the deployed stack's TableName output, AWS
// credentials in the environment) it deletes from that table; otherwise from the running local
// runtime (`npm start` in another terminal), found like `npm run retention` finds it. The user's
// email entry and sessions go, and the audit log records the deletion (actor null, by "cli");
// their folders stay with the company, as with DELETE /api/users/{user_id}.
import { parseArgs } from 'node:util';
import { discoveryFile, readDiscovery } from '../infra/local/discovery';

async function main() {
  const { values } = parseArgs({ options: { email: { type: 'string' }, 'user-id': { type: 'string' } } });
  if (!values.email === !values['user-id']) throw new Error('usage: npm run delete-user -- --email E   (or --user-id ID)');
  if (!process.env.OZ_TABLE_NAME) Object.assign(process.env, readDiscovery(discoveryFile()).env);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { coreDeps } = await import('../functions/wiring');
  const { removeUser } = await import('../layers/core/admin');
  const deps = coreDeps();
  const user = values.email ? await deps.identity.getUserByEmail(values.email) : await deps.identity.getUser(values['user-id']!);
  if (!user) throw new Error(`no user ${values.email ?? values['user-id']} in table ${process.env.OZ_TABLE_NAME}`);
  await removeUser(deps, user, null);
  console.log(JSON.stringify({ deleted: { user_id: user.user_id, email: user.email, user_type: user.user_type, company_id: user.company_id } }));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
