// The webhook address rules, shared by the check when a resolution_endpoint is given and the delivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressVerdict, resolutionEndpointOf, urlVerdict } from '../../layers/core/webhook-urls';
import { ApiError } from '../../layers/core/errors';

test('IPv4-mapped, IPv4-compatible and 6to4 spellings of forbidden addresses are refused, however written', () => {
  for (const a of ['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:0001', '::127.0.0.1', '::7f00:1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '2002:7f00:1::', '2002:a9fe:a9fe::1']) {
    assert.notEqual(addressVerdict(a, false), null, a);
  }
  // Compatible addresses are refused even where private ones are allowed; mapped metadata always is.
  assert.match(addressVerdict('::7f00:1', true)!, /IPv4-compatible/);
  assert.match(addressVerdict('::ffff:a9fe:a9fe', true)!, /metadata/);
  assert.equal(addressVerdict('::ffff:127.0.0.1', true), null);
  for (const a of ['93.184.216.34', '::ffff:93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '2002:5db8:d822::1']) assert.equal(addressVerdict(a, false), null, a);
});

test('URLs: scheme, credentials, and literal hosts as the URL parser normalises them', () => {
  for (const url of ['ftp://example.com/', 'http://u:p@example.com/', 'http://[::127.0.0.1]/', 'http://[::ffff:127.0.0.1]:8080/x', 'http://2130706433/', 'http://0x7f.1/', 'http://localhost:3000/', 'http://a.localhost/', 'http://169.254.169.254/', 'http://[fe80::1]/', 'nonsense', 'file:///etc/passwd', 'javascript:alert(1)']) {
    assert.notEqual(urlVerdict(url, false), null, url);
  }
  for (const url of ['https://example.com/hook', 'http://93.184.216.34:8080/x?y=1', 'https://[2606:2800:220:1:248:1893:25c8:1946]/']) assert.equal(urlVerdict(url, false), null, url);
  assert.equal(urlVerdict('http://127.0.0.1:9000/hook', true), null);
});

test('resolution_endpoint: empty means none, anything refused is a documented 400', () => {
  assert.equal(resolutionEndpointOf(undefined, false), null);
  assert.equal(resolutionEndpointOf('', false), null);
  assert.equal(resolutionEndpointOf(' https://example.com/h ', false), 'https://example.com/h');
  for (const bad of [42, 'http://[::127.0.0.1]/', `https://example.com/${'x'.repeat(3000)}`]) {
    assert.throws(() => resolutionEndpointOf(bad, false), (err: unknown) => err instanceof ApiError && err.status === 400 && err.code === 4);
  }
});
