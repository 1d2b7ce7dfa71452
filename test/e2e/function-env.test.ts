// Each function sees only its own template environment locally, as in AWS (infra/local/function-env.ts),
// the HTTP functions and the webhook task included, though they run in this one process. The
// runtime here starts from a template whose API function lacks OZ_TABLE_NAME: the media function's
// still has it, so a merged environment would hide the gap until AWS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, OzClient, setFunctionEnv, startRuntime } from '../support/local';
import type { LocalRuntime } from '../../infra/local/runtime';
import type { CfnTemplate } from '../../infra/local/synth';
import { appConfig } from '../../functions/config';
import { coreDeps, webhookStarter } from '../../functions/wiring';

let runtime: LocalRuntime;
const functionId = (template: CfnTemplate, prefix: string) => {
  const found = Object.entries(template.Resources).find(([id, r]) => id.startsWith(prefix) && r.Type === 'AWS::Lambda::Function');
  assert.ok(found, `no ${prefix} in the template`);
  return found[0];
};
const api = () => functionId(runtime.template, 'ApiFunction');
const media = () => functionId(runtime.template, 'MediaFunction');

before(async () => {
  runtime = await startRuntime({
    editTemplate: (template) => {
      const variables = (template.Resources[functionId(template, 'ApiFunction')]!.Properties!['Environment'] as { Variables: Record<string, unknown> }).Variables;
      assert.ok(variables['OZ_TABLE_NAME']);
      delete variables['OZ_TABLE_NAME'];
    },
  });
});
after(async () => {
  await runtime?.stop();
});

describe('in-process functions', () => {
  test("see no variable only other functions' templates have", () => {
    // The webhook workflow's ARN: the media function's, the worker's and the stranded handlers', not the API's, API Lite's or the webhook task's.
    assert.ok(process.env.OZ_WEBHOOK_STATE_MACHINE_ARN, 'this process holds the media function’s variables');
    assert.match(String(runtime.inFunction(media(), () => appConfig().OZ_WEBHOOK_STATE_MACHINE_ARN)), /:stateMachine:/);
    for (const prefix of ['ApiFunction', 'LiteFunction', 'WebhookFunction']) {
      assert.equal(runtime.inFunction(functionId(runtime.template, prefix), () => appConfig().OZ_WEBHOOK_STATE_MACHINE_ARN), undefined, prefix);
    }
    // Code of the API function that needed it would fail here as it would in AWS.
    assert.throws(() => runtime.inFunction(api(), () => webhookStarter()), /Invalid configuration: OZ_WEBHOOK_STATE_MACHINE_ARN is not set/);
    assert.ok(runtime.inFunction(media(), () => webhookStarter()));
  });

  test('missing a variable they need fail as in AWS, and the others in the process go on', async () => {
    assert.ok(process.env.OZ_TABLE_NAME, 'this process holds the media function’s table name');
    assert.throws(() => runtime.inFunction(api(), () => coreDeps()), /Invalid configuration: OZ_TABLE_NAME is not set/);
    // The API function answers logins: without its table, the documented 500.
    const login = await new OzClient(runtime.url).request('POST', '/api/authorize/auth', { json: { credentials: { email: ADMIN.email, password: ADMIN.password } }, token: null });
    assert.deepEqual([login.status, login.body.error_code], [500, 0], login.text);
    // The media function (POST /api/folders) reaches its table: an unknown token is looked up and refused.
    const upload = await new OzClient(runtime.url).request('POST', '/api/folders', { body: new FormData(), token: 'no-such-token' });
    assert.equal(upload.status, 401, upload.text);
  });

  test("see this process's other variables as they change", () => {
    const saved = process.env.OZ_SESSION_TTL;
    setFunctionEnv('OZ_SESSION_TTL', '1234');
    try {
      assert.equal(runtime.inFunction(media(), () => appConfig().OZ_SESSION_TTL), 1234);
      assert.equal(runtime.inFunction(api(), () => appConfig().OZ_SESSION_TTL), 1234);
    } finally {
      setFunctionEnv('OZ_SESSION_TTL', saved);
    }
    assert.notEqual(runtime.inFunction(media(), () => appConfig().OZ_SESSION_TTL), 1234);
  });
});
