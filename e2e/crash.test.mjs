// A panic in the engine's worker: the page says so, keeps what it had loaded on screen, and a restart
// reads the same files again in a new worker. The panic is asked for through the test-only URL
// fragment `#trailscope-test=worker-panic` (sent once loading is done).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';
import { settle, visitEveryTab } from './visit.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

test('a worker panic is shown, what was loaded stays, and a restart reloads the same files', async () => {
  const sample = walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz'));
  const picked = sample.slice(0, 5);
  const expected = uniqueEvents(picked.flatMap(recordsOf));
  const t = await Trailscope.open({ ...env, url: `${env.url}#trailscope-test=worker-panic` });
  await t.pickFiles(picked);
  // Done, then the test hook makes the engine panic.
  await t.page.waitForSelector('[data-testid=engine-crashed]');
  const s = await t.status();
  assert.equal(s.state, 'error');
  assert.equal(s.events, expected, 'the counts loaded before the crash are kept');
  const notice = await t.page.textContent('[data-testid=engine-crashed]');
  assert.match(notice, /The engine stopped working/);
  assert.match(notice, /a test asked the engine to panic/);
  assert.match(await t.page.textContent('[data-testid=restart-engine]'), /read 5 files again/);
  // The views loaded before the crash are still there.
  assert.equal(await t.page.textContent('[data-testid=total-events]'), expected.toLocaleString('en-US'));
  await t.shot('crash-notice', { fullPage: false });

  await t.page.click('[data-testid=restart-engine]');
  const again = await t.waitDone();
  assert.equal(again.events, expected);
  assert.equal(again.files, picked.length);
  assert.equal(await t.page.locator('[data-testid=engine-crashed]').count(), 0);
  // The new engine answers every view.
  await visitEveryTab(t);
  await t.page.click('[data-testid=tab-overview]');
  await settle(t.page);
  assert.equal(await t.page.textContent('[data-testid=total-events]'), expected.toLocaleString('en-US'));
  await t.shot('crash-restarted', { fullPage: false });
  // The only console errors are the panic's own report.
  assert.deepEqual(t.problems.filter((p) => !/panic|unreachable|RuntimeError/i.test(p)), []);
  assert.deepEqual(await t.cspViolations(), []);
});

test('without the test fragment nothing panics', async () => {
  const t = await Trailscope.open(env);
  await t.pickFiles(sample5());
  await t.waitDone();
  await settle(t.page, 500);
  assert.equal(await t.page.locator('[data-testid=engine-crashed]').count(), 0);
  assert.equal((await t.status()).state, 'done');
  assert.deepEqual(t.problems, []);
});

const sample5 = () => walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).slice(0, 5);
