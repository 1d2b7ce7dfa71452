import { createServer } from 'node:net';

/**
 * Asks the OS for a free TCP port (bind to port 0 on all interfaces, read it, release it).
 * There is a small window in which another process can take it; callers that spawn a child
 * on the port retry when the child fails to bind.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '0.0.0.0', exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Dummy credentials for the local emulators. None of them checks signatures; `S3RVER` is the only
 * access key id s3rver knows out of the box (startS3 also makes it accept any other).
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';
