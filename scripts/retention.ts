// npm run retention: one run of the scheduled retention job, by hand, against the running local
// runtime (`npm start` in another terminal). There is no scheduler locally; in AWS an EventBridge
// rule invokes the same handler daily. OZ_RETENTION_DAYS / OZ_RETENTION_MAX_FOLDERS set here win
// over the values the runtime's template gave the function.
import { discoveryFile, readDiscovery } from '../infra/local/discovery';

async function main() {
  const runtime = readDiscovery(discoveryFile());
  const overrides = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('OZ_RETENTION_')));
  Object.assign(process.env, runtime.env, overrides);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  console.log(`Retention run against the local runtime at ${runtime.url} (OZ_RETENTION_DAYS=${process.env.OZ_RETENTION_DAYS ?? '0'})`);
  const { handler } = await import('../functions/retention/handler');
  const report = await handler(undefined);
  console.log(JSON.stringify({ report }));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
