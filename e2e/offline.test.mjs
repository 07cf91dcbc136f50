// Offline after the first visit, from a sub-path of a static host: the service worker caches the
// built site; with the server gone and the browser offline, a reload still starts the app, which
// loads the bundled sample and shows every view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';
import { settle, visitEveryTab } from './visit.mjs';

let env;
before(async () => { env = await start({ prefix: '/tools/trailscope/' }); });
after(async () => { await env?.close(); });

test('after one visit the page works with the server gone and the browser offline', async () => {
  const expected = uniqueEvents(walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).flatMap(recordsOf));
  const t = await Trailscope.open(env);
  const page = t.page;
  // The service worker has installed (cached the site) and controls the page.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, env.url, 'the worker is scoped to the sub-path');
  // The engine's ingest workers have loaded too (a reload would otherwise abort their fetches).
  await t.readersReady();

  // The server goes away and the browser goes offline.
  await new Promise((ok) => { env.server.close(ok); env.server.closeAllConnections(); });
  await page.context().setOffline(true);
  const failed = [];
  page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
  await page.reload();
  await page.waitForSelector('[data-testid=ingest-status][data-state=idle]');
  await page.click('[data-testid=load-sample]');
  const s = await t.waitDone();
  assert.equal(s.events, expected);
  await visitEveryTab(t);
  await page.click('[data-testid=tab-overview]');
  await settle(page);
  await t.shot('offline-sample');
  assert.deepEqual(failed, [], 'no request failed offline');
  assert.deepEqual(t.problems, []);
});
