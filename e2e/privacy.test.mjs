// "Your logs never leave your browser", tested: every request the page, its worker and its service
// worker make is recorded through a whole session (logs picked from disk and the bundled sample,
// every view, the event drawer, every export). Once the static assets have loaded there must be none,
// and none ever goes to another origin. The page's CSP is the one issue 9 asks for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';
import { exportEverything, openFirstEvent, settle, visitEveryTab } from './visit.mjs';

// Issue 9, requirement 1, word for word (independent of index.html).
const POLICY = {
  'default-src': "'none'", 'script-src': "'self' 'wasm-unsafe-eval'", 'worker-src': "'self'",
  'connect-src': "'self'", 'img-src': "'self' data: blob:", 'style-src': "'self'", 'object-src': "'none'",
  'base-uri': "'none'", 'form-action': "'none'",
};

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

/** Records every request of a browser context (page, dedicated worker, service worker). */
function recorder(context) {
  const seen = [];
  const note = (r, failed) => seen.push({
    url: r.url(), method: r.method(), type: r.resourceType(), body: r.postData(), failed,
    from: r.serviceWorker() ? 'service worker' : 'page or its worker',
  });
  context.on('request', (r) => note(r, false));
  context.on('requestfailed', (r) => note(r, true));
  return seen;
}

const show = (rs) => rs.map((r) => `${r.method} ${r.url.slice(0, 120)} (${r.type}, ${r.from})`).join('\n');

test('after the static assets load, a whole session makes no request at all', async () => {
  const sample = walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz'));
  const picked = sample.slice(0, 4);
  const t = await Trailscope.open(env);
  const context = t.page.context();
  // Requests made before the recorder was attached (the page itself) are the static assets.
  const requests = recorder(context);
  // The service worker caches the site once; wait for it, so its own fetches count as static assets.
  await t.page.evaluate(() => navigator.serviceWorker.ready);
  // The ingest workers fetch the worker's script and wasm too, and say they are ready only after
  // warming up (src/worker/mod.rs, `warm_up`): those fetches are static assets as well.
  await t.readersReady();
  await settle(t.page, 500);
  const assets = requests.length;
  const origin = new URL(env.url).origin;

  // Logs from disk, then the bundled sample, then every view, the drawer and every export.
  await t.pickFiles(picked);
  const s1 = await t.waitDone();
  assert.equal(s1.events, uniqueEvents(picked.flatMap(recordsOf)));
  await t.page.click('[data-testid=load-sample]');
  const s2 = await t.waitDone();
  assert.equal(s2.events, uniqueEvents(sample.flatMap(recordsOf)));
  const tabs = await visitEveryTab(t);
  assert.ok(tabs.length >= 5, `tabs: ${tabs}`);
  await openFirstEvent(t);
  await t.page.click('[data-testid=close-detail]');
  const downloads = await exportEverything(t);
  assert.ok(downloads.length >= 4, downloads.map((d) => d.name).join(', '));
  await settle(t.page, 1000);
  await t.shot('privacy-session');

  const during = requests.slice(assets).filter((r) => !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  assert.deepEqual(during, [], `requests after the static assets loaded:\n${show(during)}`);
  const foreign = requests.filter((r) => !r.url.startsWith('blob:') && !r.url.startsWith('data:') && new URL(r.url).origin !== origin);
  assert.deepEqual(foreign, [], `requests to another origin:\n${show(foreign)}`);
  // Nothing is ever sent: no request carries a body (the static assets are GETs).
  assert.deepEqual(requests.filter((r) => r.method !== 'GET' || r.body), []);
  assert.deepEqual(t.problems, []);
  assert.deepEqual(await t.cspViolations(), []);
  // The recorder does see requests, from the page and from a worker, when there are some.
  await t.page.evaluate(() => fetch('./index.html?probe=page'));
  await t.page.evaluate(() => new Promise((ok) => {
    const w = new Worker('./worker_loader.js');
    setTimeout(() => { w.terminate(); ok(); }, 1500);
  }));
  await settle(t.page, 500);
  const probes = requests.slice(assets).map((r) => r.url);
  assert.ok(probes.some((u) => u.includes('probe=page')), probes.join('\n'));
  assert.ok(probes.some((u) => u.endsWith('/worker_bg.wasm')), `a worker's own fetch is recorded:\n${probes.join('\n')}`);
});

test('the page carries the strict Content-Security-Policy, and no external resource', async () => {
  const t = await Trailscope.open(env);
  const content = await t.page.$eval('meta[http-equiv=Content-Security-Policy]', (m) => m.content);
  const policy = Object.fromEntries(content.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0])
    .map(([k, ...v]) => [k, v.join(' ')]));
  assert.deepEqual(policy, POLICY);
  // No inline script: every script has a same-origin src.
  const scripts = await t.page.$$eval('script', (els) => els.map((s) => ({ src: s.src, inline: s.textContent.trim().length })));
  assert.ok(scripts.length > 0 && scripts.every((s) => s.src.startsWith(new URL(env.url).origin) && s.inline === 0), JSON.stringify(scripts));
  // Inline script is refused: the policy is in force, not just written.
  await t.page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.head.append(s);
  });
  await settle(t.page);
  assert.equal(await t.page.evaluate(() => window.__inline), undefined);
  const violations = await t.cspViolations();
  assert.ok(violations.some((v) => v.startsWith('script-src')), violations.join('\n'));
});
