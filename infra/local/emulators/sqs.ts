/**
 * SQS emulation: fauxqs in-process (Fastify). It listens on 0.0.0.0 (hard-coded in fauxqs 1.9).
 * State is in memory only: queues and their messages are gone after stop() (createResourcesFromTemplate
 * recreates the queues on the next start; messages that were waiting are lost).
 *
 * Queue URLs it hands out look like http://sqs.us-east-1.localhost:PORT/000000000000/NAME; an
 * SQSClient built with `endpoint` set to this emulator's endpoint sends every call to that
 * endpoint whatever the queue URL's host (the SDK only follows the QueueUrl's host when no endpoint
 * is configured).
 */
import type { EmulatorHandle } from './dynamodb';

export interface SqsOptions {
  /** TCP port; undefined or 0 = a free one. */
  port?: number;
}

type FauxqsModule = typeof import('fauxqs');

// fauxqs is ESM-only (its package exports have no "require" condition): load it with a real
// dynamic import, which tsx keeps as import() in this CommonJS project.
const importFauxqs = (): Promise<FauxqsModule> => import('fauxqs');

export async function startSqs(options: SqsOptions = {}): Promise<EmulatorHandle> {
  const { startFauxqs } = await importFauxqs();
  const server = await startFauxqs({ port: options.port ?? 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= server.stop();
    return stopping;
  };
  return { endpoint, stop };
}
