import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eer, normInv, padRatesAt, rocAuc, tarAtFar, thresholdAtApcer, thresholdAtBpcer } from '../../eval/metrics';

describe('evaluation metrics', () => {
  it('ROC AUC with ties', () => {
    assert.equal(rocAuc([3, 4], [1, 2]), 1);
    assert.equal(rocAuc([1, 2], [3, 4]), 0);
    assert.equal(rocAuc([1], [1]), 0.5);
    assert.equal(rocAuc([2, 3], [1, 3]), 0.625);
  });

  it('TAR at FAR: the lowest threshold with FAR <= target', () => {
    const imp = Array.from({ length: 1000 }, (_, i) => i / 1000); // 0 .. 0.999
    const gen = [0.9975, 0.9985, 0.5];
    const p = tarAtFar(gen, imp, 0.001);
    assert.equal(p.acceptedImpostors, 1); // only 0.999
    assert.ok(p.threshold > 0.998 && p.threshold <= 0.999);
    assert.equal(p.acceptedGenuine, 1);
    assert.equal(tarAtFar(gen, imp, 0.01).acceptedImpostors, 10);
  });

  it('EER where the two error rates cross', () => {
    const e = eer([0.6, 0.7, 0.8, 0.9], [0.1, 0.2, 0.3, 0.65]);
    assert.equal(e.eer, 0.25);
  });

  it('PAD operating points', () => {
    const real = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.9];
    const attack = [0.2, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995, 0.996, 0.997, 0.998];
    const b = thresholdAtBpcer(real, attack, 0.1); // one real may be rejected
    assert.equal(b.rejectedReal, 1);
    assert.ok(b.threshold > 0.09 && b.threshold < 0.9);
    assert.equal(b.acceptedAttacks, 1);
    const strict = thresholdAtBpcer(real, attack, 0.05); // none may be rejected: threshold = top real
    assert.equal(strict.threshold, 0.9);
    assert.equal(strict.rejectedReal, 0);
    const a = thresholdAtApcer(real, attack, 0.1);
    assert.equal(a.acceptedAttacks, 1);
    assert.equal(a.rejectedReal, 1);
    assert.deepEqual(padRatesAt(real, attack, 0.5), { threshold: 0.5, apcer: 0.1, bpcer: 0.1, acceptedAttacks: 1, rejectedReal: 1 });
  });

  it('normal quantiles', () => {
    assert.ok(Math.abs(normInv(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normInv(1 - 1e-4) - 3.719016) < 1e-5);
  });
});
