// One local "Lambda container": loads a handler module and runs one invocation at a time,
// receiving events from the parent over IPC.
import * as path from 'node:path';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const [, , repoRoot, entry] = process.argv;
const [file, exportName] = entry!.split('#');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const handler = (require(path.join(repoRoot!, file!)) as Record<string, Handler>)[exportName ?? 'handler']!;

process.on('message', async (message: { id: number; event: unknown; deadline?: number }) => {
  const { deadline } = message;
  const context = { awsRequestId: String(message.id), functionName: entry, ...(deadline ? { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) } : {}) };
  try {
    const result = await handler(message.event, context);
    process.send!({ id: message.id, result: result ?? null });
  } catch (err) {
    const e = err as Error;
    process.send!({ id: message.id, error: { name: e?.name, message: e?.message ?? String(err) } });
  }
});
process.send!({ ready: true });
