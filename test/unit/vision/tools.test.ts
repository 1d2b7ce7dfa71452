import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runTool, toolPath, withTempFile } from '../../../layers/vision/tools';
import { configureVision } from '../../../layers/vision/settings';

describe('ffmpeg/ffprobe tooling', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'oz-tools-test-'));
  });
  afterEach(() => {
    configureVision({});
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds both binaries in the npm packages', () => {
    for (const t of ['ffmpeg', 'ffprobe'] as const) {
      const p = toolPath(t);
      assert.ok(existsSync(p), p);
    }
  });

  it('honours OZ_FFPROBE_PATH and makes a non-executable binary executable (0755)', async () => {
    const fake = path.join(dir, 'ffprobe');
    writeFileSync(fake, '#!/bin/sh\necho fake-probe "$@"\n', { mode: 0o644 });
    configureVision({ ffprobePath: fake }); // OZ_FFPROBE_PATH
    assert.equal(toolPath('ffprobe'), fake);
    assert.equal(statSync(fake).mode & 0o777, 0o755);
    const r = await runTool('ffprobe', ['-version'], { timeoutMs: 10_000 });
    assert.equal(r.stdout.toString().trim(), 'fake-probe -version');
    configureVision({});
    assert.notEqual(toolPath('ffprobe'), fake, 'the override is forgotten once unset');
  });

  it('kills a tool that runs past its timeout', async () => {
    const t = Date.now();
    const r = await runTool('ffmpeg', ['-nostdin', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=rate=5', '-f', 'null', '-'], { timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(Date.now() - t < 5000);
  });

  it('always removes the temp file, also when the work throws', async () => {
    let seen = '';
    await assert.rejects(
      withTempFile(Buffer.from('x'), async (file) => {
        seen = file;
        assert.ok(existsSync(file));
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.ok(seen.startsWith(os.tmpdir()));
    assert.equal(existsSync(seen), false);
    assert.equal(existsSync(path.dirname(seen)), false);
  });
});
