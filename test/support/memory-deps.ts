// The core's dependencies on the in-memory ports, with a clock the test moves and a queue it reads:
// for unit tests of the use cases that run in milliseconds.
import { randomUUID } from 'node:crypto';
import { MemoryBlobStore } from '../../layers/adapters/memory/blobs';
import { memoryStoragePorts } from '../../layers/adapters/memory';
import { newUser } from '../../layers/core/admin';
import { authenticate, authorize, type Caller } from '../../layers/core/auth';
import { defaultConfig, type CoreConfig, type CoreDeps } from '../../layers/core/deps';
import type { UserType } from '../../layers/core/entities';
import type { AnalysisJob, WebhookDeliveryInput, WebhookStarter } from '../../layers/core/ports';

export interface MemoryWorld {
  deps: CoreDeps;
  blobs: MemoryBlobStore;
  /** Every job the queue was given. */
  queued: AnalysisJob[];
  /** Every webhook workflow started. */
  started: WebhookDeliveryInput[];
  starter: WebhookStarter;
  advance(seconds: number): void;
  /** A real user of the company, signed in. */
  caller(company: string, userType?: UserType): Promise<Caller>;
}

export function memoryWorld(config: Partial<CoreConfig> = {}, start = 1_800_000_000): MemoryWorld {
  let now = start;
  const blobs = new MemoryBlobStore();
  const queued: AnalysisJob[] = [];
  const started: WebhookDeliveryInput[] = [];
  const deps: CoreDeps = {
    ...memoryStoragePorts(),
    blobs,
    queue: { enqueue: async (jobs) => void queued.push(...jobs) },
    clock: { now: () => now },
    ids: { uuid: randomUUID },
    config: { ...defaultConfig, ...config },
  };
  return {
    deps,
    blobs,
    queued,
    started,
    starter: { start: async (input) => void started.push(input) },
    advance: (seconds) => void (now += seconds),
    caller: async (company, userType = 'CLIENT_ADMIN') => {
      const email = `${randomUUID()}@example.com`;
      await newUser(deps, { email, password: 'password-1234', company_id: company, user_type: userType });
      const { access_token } = await authorize(deps, email, 'password-1234');
      return authenticate(deps, access_token);
    },
  };
}
