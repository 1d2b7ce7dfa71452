import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisResolutionStatus, folderStatus, groupResult, worst } from '../../layers/core/statuses';

const a = (group_id: string, state: 'PROCESSING' | 'FINISHED' | 'FAILED', resolution: 'SUCCESS' | 'DECLINED' | 'OPERATOR_REQUIRED' | null, time_updated = 1) => ({ group_id, state, resolution, time_updated });

test('an analysis inherits its state until it finishes', () => {
  assert.equal(analysisResolutionStatus(a('g', 'PROCESSING', null)), 'PROCESSING');
  assert.equal(analysisResolutionStatus(a('g', 'FAILED', null)), 'FAILED');
  assert.equal(analysisResolutionStatus(a('g', 'FINISHED', 'DECLINED')), 'DECLINED');
});

test('the worst order of the documents: INITIAL > PROCESSING > FAILED > DECLINED > OPERATOR_REQUIRED > SUCCESS', () => {
  assert.equal(worst(['SUCCESS', 'OPERATOR_REQUIRED']), 'OPERATOR_REQUIRED');
  assert.equal(worst(['SUCCESS', 'DECLINED', 'OPERATOR_REQUIRED']), 'DECLINED');
  assert.equal(worst(['DECLINED', 'FAILED']), 'FAILED');
  assert.equal(worst(['FAILED', 'PROCESSING']), 'PROCESSING');
  assert.equal(groupResult([a('g', 'FINISHED', 'SUCCESS'), a('g', 'FINISHED', 'SUCCESS')]), 'SUCCESS');
});

test('folder: INITIAL without analyses, PROCESSING while any runs', () => {
  assert.deepEqual(folderStatus([]), { resolution_status: 'INITIAL', system_resolution: 'INITIAL' });
  assert.deepEqual(folderStatus([a('g1', 'FINISHED', 'SUCCESS'), a('g2', 'PROCESSING', null)]), { resolution_status: 'PROCESSING', system_resolution: 'PROCESSING' });
});

test('folder: the last-finished group decides, and its worst analysis is the result', () => {
  const older = [a('g1', 'FINISHED', 'DECLINED', 10)];
  const newer = [a('g2', 'FINISHED', 'SUCCESS', 20), a('g2', 'FINISHED', 'SUCCESS', 21)];
  assert.deepEqual(folderStatus([...older, ...newer]), { resolution_status: 'FINISHED', system_resolution: 'SUCCESS' });
  assert.deepEqual(folderStatus([...newer, a('g3', 'FINISHED', 'OPERATOR_REQUIRED', 30)]).system_resolution, 'OPERATOR_REQUIRED');
  assert.deepEqual(folderStatus([a('g1', 'FINISHED', 'SUCCESS', 5), a('g1', 'FAILED', null, 6)]), { resolution_status: 'FAILED', system_resolution: 'FAILED' });
});

test('folder resolution_status: FAILED when any analysis of the folder failed, even in an older group ("Statuses in API")', () => {
  const failed = [a('g1', 'FAILED', null, 10)];
  const retried = [a('g2', 'FINISHED', 'SUCCESS', 20)];
  assert.deepEqual(folderStatus([...failed, ...retried]), { resolution_status: 'FAILED', system_resolution: 'SUCCESS' });
  assert.deepEqual(folderStatus(retried), { resolution_status: 'FINISHED', system_resolution: 'SUCCESS' });
});
