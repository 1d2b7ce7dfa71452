// The local runtime's Lambda execution environments (infra/local/function-pool.ts): the function
// timeout is emulated as Lambda does it (the invocation fails with "Task timed out", its process is
// stopped and replaced), handlers get getRemainingTimeInMillis, and a killed process fails only
// its own invocation.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { FunctionTimeoutError, startFunctionPool } from '../../infra/local/function-pool';

const ENTRY = 'test/support/fixtures/timing-handler.ts#handler';
const pool = startFunctionPool(ENTRY, 1, () => {}, 2);
after(() => pool.stop());

type Answer = { pid: number; remainingMs: number | null };

test('the handler sees the time it has left', async () => {
  const a = (await pool.invoke({})) as Answer;
  assert.ok(a.remainingMs !== null && a.remainingMs > 1500 && a.remainingMs <= 2000, String(a.remainingMs));
  const b = (await pool.invoke({ waitMs: 500 })) as Answer;
  assert.ok(b.remainingMs! <= 1500 && b.remainingMs! > 1000, String(b.remainingMs));
  assert.equal(a.pid, b.pid, 'a warm process is reused');
});

test('an invocation past the timeout fails as in Lambda, even with a blocked event loop; the next one runs in a new process', async () => {
  const warm = (await pool.invoke({})) as Answer;
  const started = Date.now();
  await assert.rejects(pool.invoke({ blockMs: 10_000 }), (err: Error) => err instanceof FunctionTimeoutError && /Task timed out after 2\.00 seconds/.test(err.message));
  const took = Date.now() - started;
  assert.ok(took >= 1900 && took < 4000, `failed at the timeout (${took} ms)`);
  assert.equal(pool.timedOut, 1);
  const next = (await pool.invoke({})) as Answer;
  assert.notEqual(next.pid, warm.pid, 'the timed-out process was stopped and replaced');
  assert.throws(() => process.kill(warm.pid, 0), 'the old process is gone');
});

test('a killed process fails its invocation only; the pool goes on', async () => {
  const running = pool.invoke({ waitMs: 1000 });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(pool.killBusy(), 1);
  await assert.rejects(running, /died/);
  const next = (await pool.invoke({})) as Answer;
  assert.ok(next.pid > 0);
});
