// The container story in the browser: from "Load sample logs" to one image's whole story. The image
// and every expected figure are worked out here, in JavaScript, from the sample files themselves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, corpusDir, recordTexts, recordedTexts, start, Trailscope, recordsOf, uniqueEvents, walk } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.close(); });

const sample = () => walk(join(ROOT, 'sample')).filter((p) => p.endsWith('.json.gz')).flatMap(recordsOf);
const ok = (e) => !e.errorCode;
const place = (e) => `${e.recipientAccountId}|${e.awsRegion}|${e.requestParameters?.repositoryName ?? e.serviceEventDetails?.repositoryName}`;

/** The app with the sample loaded, on the Images tab once `selector` shows. */
async function openSampleImages(selector) {
  const t = await Trailscope.open(env);
  await t.page.click('[data-testid=load-sample]');
  await t.waitDone();
  await t.page.click('[data-testid=tab-images]');
  await t.page.waitForSelector(selector);
  return t;
}

/** The story of every pushed image, computed from the raw events. */
function stories(events) {
  const puts = events.filter((e) => e.eventName === 'PutImage' && ok(e))
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const digestOf = (e) => e.responseElements.image.imageId.imageDigest;
  // The image a tag pointed to at time t: the latest push of it at or before t.
  const tagAt = (where, tag, t) => {
    let d = null;
    for (const p of puts) if (place(p) === where && p.requestParameters.imageTag === tag && p.eventTime <= t) d = digestOf(p);
    return d;
  };
  const out = new Map();
  for (const p of puts) {
    const key = `${place(p)}|${digestOf(p)}`;
    if (!out.has(key)) {
      out.set(key, { where: place(p), repo: p.requestParameters.repositoryName, account: p.recipientAccountId,
        region: p.awsRegion, digest: digestOf(p), tag: p.requestParameters.imageTag, pusher: p.userIdentity.arn, putID: p.eventID,
        pulls: 0, expiredBy: null });
    }
  }
  for (const g of events.filter((e) => e.eventName === 'BatchGetImage' && ok(e))) {
    for (const id of g.requestParameters.imageIds) {
      const d = id.imageDigest ?? tagAt(place(g), id.imageTag, g.eventTime);
      const s = out.get(`${place(g)}|${d}`);
      if (s) s.pulls += 1;
    }
  }
  for (const l of events.filter((e) => e.eventName === 'PolicyExecutionEvent')) {
    for (const a of l.serviceEventDetails.lifecycleEventImageActions) {
      const s = out.get(`${place(l)}|${a.lifecycleEventImage.digest}`);
      if (s) {
        s.expiredBy = l.serviceEventDetails.lifecycleEventPolicy.lifecycleEventRules
          .find((r) => r.rulePriority === a.rulePriority);
        s.pushedAt = a.lifecycleEventImage.pushedAt;
      }
    }
  }
  return [...out.values()];
}

test('an image page from the sample tells the whole story: pushed, pulled, expired', async () => {
  const events = sample();
  // The image with the fullest story: pushed and expired in the sample, the most pulls among those.
  const image = stories(events).filter((s) => s.expiredBy).sort((a, b) => b.pulls - a.pulls)[0];
  assert.ok(image, 'the sample has an image that was pushed and then expired');
  assert.ok(image.pulls > 0, 'and pulled in between');

  const t = await openSampleImages('[data-testid=repo-list]');
  await t.shot('images-repositories');

  const row = `[data-testid=repo-row][data-repo="${image.repo}"][data-account="${image.account}"][data-region="${image.region}"]`;
  await t.page.click(`${row} [data-testid=open-repo]`);
  await t.page.waitForSelector(`[data-testid=repo-page][data-repo="${image.repo}"] [data-testid=repo-images]`);
  await t.shot('images-repository-page');
  // The image was pushed when ECR says it was: the `pushedAt` its lifecycle run lists (the time of
  // its PutImage), not when the push's first call came.
  const utc = (ms) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const pushedCell = await t.page.textContent(`[data-testid=image-row][data-digest="${image.digest}"] td:nth-child(3)`);
  assert.equal(pushedCell.trim(), utc(image.pushedAt), 'the images table gives the time ECR gives');

  await t.page.click(`[data-testid=image-row][data-digest="${image.digest}"] [data-testid=open-image]`);
  const pageSel = `[data-testid=image-page][data-digest="${image.digest}"]`;
  await t.page.waitForSelector(pageSel);
  const story = t.page.locator(`${pageSel} [data-testid=story-step]`);
  const kinds = await story.evaluateAll((els) => els.map((e) => e.dataset.kind));
  assert.equal(kinds[0], 'pushed', `the story starts with the push: ${kinds}`);
  assert.equal(kinds.filter((k) => k === 'pulled').length, image.pulls, `every pull is in the story: ${kinds}`);
  assert.equal(kinds.at(-1), 'expired', `and ends with the expiry: ${kinds}`);
  assert.equal(await t.page.getAttribute(pageSel, 'data-status'), 'expired');
  assert.equal(await t.page.textContent('[data-testid=image-digest]'), image.digest);
  assert.match(await t.page.textContent('[data-testid=image-pulls]'), new RegExp(`^${image.pulls}\\b`));
  const text = await t.page.textContent(pageSel);
  // Named by its resource, a role's session without "assumed-role/" (the kind under it says it).
  assert.ok(text.includes(image.pusher.split(':').pop().replace(/^assumed-role\//, '')), 'the pusher is named');
  assert.ok(text.includes(image.tag), 'the tag is shown');
  assert.ok(text.includes(image.expiredBy.description), 'the expiring rule is named');
  // Every step lists its raw events, each with its store row for the event view.
  const rows = await t.page.locator(`${pageSel} [data-testid=raw-events] li[data-row]`).count();
  assert.ok(rows >= kinds.length, `${rows} raw events behind ${kinds.length} steps`);
  // Open the first push's events for the screenshot.
  await t.page.locator(`${pageSel} [data-testid=story-step][data-kind=pushed] details.events summary`).first().click();
  await t.shot('images-image-story');

  // Searched down to its push alone, the page says how much of its story is out of sight, and
  // one click shows it whole again, on the same page.
  const count = `${pageSel} [data-testid=image-story] h2 .count`;
  const whole = await t.page.textContent(count);
  await t.page.fill('[data-testid=search]', image.putID);
  await t.page.press('[data-testid=search]', 'Enter');
  const outside = t.page.locator(`${pageSel} [data-testid=image-outside-filter]`);
  await outside.waitFor();
  assert.equal(await t.page.textContent(count), '1');
  assert.equal(await outside.getAttribute('data-count'), String(Number(whole) - 1));
  assert.equal(await t.page.getAttribute(pageSel, 'data-status'), 'expired', 'its expiry, out of sight, still tells its status');
  await t.shot('images-image-outside-filter');
  await outside.locator('[data-testid=image-whole-story]').click();
  await t.page.waitForFunction((sel) => !document.querySelector(sel), `${pageSel} [data-testid=image-outside-filter]`);
  await t.page.waitForFunction(([sel, n]) => document.querySelector(sel)?.textContent === n, [count, whole]);
  assert.equal(await t.page.inputValue('[data-testid=search]'), '');
  // The search it cleared can be put back, on the same page.
  await t.page.click(`${pageSel} [data-testid=image-filter-back]`);
  await outside.waitFor();
  assert.equal(await t.page.inputValue('[data-testid=search]'), image.putID);
  assert.equal(await t.page.textContent(count), '1');
  assert.equal(await t.page.locator(`${pageSel} [data-testid=image-filter-cleared]`).count(), 0);
  assert.deepEqual(t.problems, []);
  assert.deepEqual(await t.cspViolations(), []);
});

/** The Images tab over `events` (a Records file named `name`), once they are loaded. */
async function openWith(events, name) {
  const file = join(mkdtempSync(join(tmpdir(), 'trailscope-images-')), name);
  writeFileSync(file, JSON.stringify({ Records: events }));
  const t = await Trailscope.open(env);
  await t.pickFiles([file]);
  await t.waitDone();
  await t.page.click('[data-testid=tab-images]');
  return t;
}

test('a layer download whose BatchGetImage is not in the logs is a pull, counted as incomplete', async () => {
  // One GetDownloadUrlForLayer of the sample, alone in a file: one pull, and nothing says which
  // image it got.
  const t = await openWith([sample().find((e) => e.eventName === 'GetDownloadUrlForLayer' && ok(e))], 'stray-download.json');
  await t.page.waitForSelector('[data-testid=card-pulls][data-value="1"]');
  assert.equal(await t.page.textContent('[data-testid=card-pulls] .sub'), '0 from other accounts, 1 incomplete');
  await t.page.click('[data-testid=card-pulls]');
  await t.page.waitForSelector('[data-testid=pull-list] [data-testid=outcome-ok].active[data-count]');
  const counts = await t.page.$$eval('[data-testid=pull-list] .seg', (els) => els.map((e) => [e.dataset.testid, Number(e.dataset.count)]));
  assert.deepEqual(counts, [['outcome-all', 1], ['outcome-ok', 1], ['outcome-failed', 0], ['outcome-incomplete', 1]]);
  assert.equal(await t.page.locator('[data-testid=pull-row][data-outcome=Incomplete]').count(), 1);
  assert.deepEqual(t.problems, []);
});

test('a layer upload with no PutImage is an incomplete push, not counted as refused', async () => {
  // One InitiateLayerUpload of the sample, alone in a file: a push begun, with nothing to say it
  // ended. The Refused pushes card's line had listed it among the refusals its figure leaves out.
  const t = await openWith([sample().find((e) => e.eventName === 'InitiateLayerUpload' && ok(e))], 'stray-upload.json');
  await t.page.waitForSelector('[data-testid=card-failed-pushes][data-value="0"]');
  assert.equal(await t.page.getAttribute('[data-testid=card-pushes]', 'data-value'), '0');
  assert.equal(await t.page.textContent('[data-testid=card-failed-pushes] .sub'), 'none; 1 more incomplete');
  await t.page.click('[data-testid=card-failed-pushes]');
  await t.page.waitForSelector('[data-testid=push-list] [data-testid=outcome-failed].active[data-count]');
  const counts = await t.page.$$eval('[data-testid=push-list] .seg', (els) => els.map((e) => [e.dataset.testid, Number(e.dataset.count)]));
  assert.deepEqual(counts, [['outcome-all', 1], ['outcome-ok', 0], ['outcome-moved', 0], ['outcome-failed', 0], ['outcome-incomplete', 1]]);
  assert.deepEqual(t.problems, []);
});

test('a push that moved its tag from another image says from which, and the switch lists them', async () => {
  // The sample's pushes to its repository with the most images, each retagged "prod" as logged
  // otherwise: every push after the first moves prod. Which moved it, and from where, is worked out
  // here by the rule: the tag's previous push (by time, then digest) named another image.
  const puts = sample().filter((e) => e.eventName === 'PutImage' && ok(e));
  const byRepo = new Map();
  for (const e of puts) byRepo.set(place(e), [...(byRepo.get(place(e)) ?? []), e]);
  const [, chosen] = [...byRepo].sort((a, b) => b[1].length - a[1].length)[0];
  const digestOf = (e) => e.responseElements.image.imageId.imageDigest;
  assert.ok(new Set(chosen.map(digestOf)).size >= 3, 'three images of one repository');
  const prod = chosen.map((e) => {
    const c = structuredClone(e);
    c.requestParameters.imageTag = 'prod';
    c.responseElements.image.imageId.imageTag = 'prod';
    return c;
  });
  const ordered = [...prod].sort((a, b) => a.eventTime.localeCompare(b.eventTime) || digestOf(a).localeCompare(digestOf(b)));
  // Each with who pushed the image it replaced, when someone else did.
  const moves = ordered.slice(1).map((e, i) => [digestOf(e), digestOf(ordered[i]),
    ordered[i].userIdentity.arn === e.userIdentity.arn ? null : ordered[i].userIdentity.arn]).filter(([to, from]) => to !== from);
  assert.ok(moves.some(([, , by]) => by), "a tag moved from another principal's push");
  const t = await openWith(prod, 'prod-moves.json');
  await t.page.waitForSelector(`[data-testid=card-pushes][data-value="${prod.length}"]`);
  const images = new Set(prod.map(digestOf)).size;
  assert.equal(await t.page.textContent('[data-testid=card-pushes] .sub'), `${images} distinct images; ${moves.length} moved a tag`);
  await t.page.click('[data-testid=images-nav-pushes]');
  await t.page.click('[data-testid=outcome-moved]');
  await t.page.waitForSelector('[data-testid=push-list] [data-testid=outcome-moved].active[data-count]');
  assert.equal(await t.page.getAttribute('[data-testid=outcome-moved]', 'data-count'), String(moves.length));
  await t.page.waitForFunction((n) => document.querySelectorAll('[data-testid=push-row]').length === n, moves.length);
  const rows = await t.page.$$eval('[data-testid=push-row]', (els) => els.map((r) => [r.dataset.digest,
    r.querySelector('[data-testid=tag-moved]')?.dataset.from ?? null,
    r.querySelector('[data-testid=tag-moved-by]')?.dataset.principal ?? null]));
  assert.deepEqual(rows.sort(), moves.sort());
  assert.match(t.page.url(), /pg=pushes\.moved/);
  await t.shot('images-tag-moves');
  // The image the tag moved from: its story says where the tag went.
  const [to, from] = moves.at(-1);
  await t.page.click(`[data-testid=push-row][data-digest="${to}"] [data-testid=tag-moved] button`);
  await t.page.waitForSelector('[data-testid=image-story] [data-testid=story-step][data-kind=moved]');
  assert.ok((await t.page.textContent('[data-testid=images-view] h1')).includes(from.slice(0, 19)), 'the page of the image it moved from');
  const went = await t.page.$$eval('[data-testid=story-step][data-kind=moved]', (els) => els.map((e) => e.textContent));
  assert.ok(went.some((text) => text.includes('Tag prod moved to another image') && text.includes(to.slice(0, 19))), went.join(' | '));
  assert.deepEqual(t.problems, []);
});

test('a repository policy that lets other accounts or everyone in marks its repository', async () => {
  // The sample's policies, read here: a repository is marked "other accounts" when a policy set on
  // it (and not refused) allows a principal of an account other than the repository's.
  const policies = sample().filter((e) => e.eventName === 'SetRepositoryPolicy' && ok(e));
  const owner = (e) => e.requestParameters.registryId ?? e.recipientAccountId;
  const opens = (e) => JSON.parse(e.requestParameters.policyText).Statement.filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [s.Principal?.AWS ?? []].flat()).some((p) => p.split(':')[4] !== owner(e));
  const shared = [...new Set(policies.filter(opens).map((e) => `${owner(e)}|${e.awsRegion}|${e.requestParameters.repositoryName}`))].sort();
  assert.ok(shared.length > 0 && shared.length < policies.length, 'the sample has both kinds of policy');
  const t = await openSampleImages('[data-testid=repo-row]');
  const marked = await t.page.$$eval('[data-testid=repo-row]:has([data-testid=policy-exposure])', (rows) => rows.map((r) =>
    [`${r.dataset.account}|${r.dataset.region}|${r.dataset.repo}`, r.querySelector('[data-testid=policy-exposure]').dataset.exposure]));
  assert.deepEqual(marked.sort(), shared.map((k) => [k, 'other-accounts']));
  assert.deepEqual(t.problems, []);

  // The same policy letting everyone in, alone in a file: the repository and the change say so.
  const open = structuredClone(policies.find(opens));
  const doc = JSON.parse(open.requestParameters.policyText);
  doc.Statement[0].Principal = '*';
  open.requestParameters.policyText = JSON.stringify(doc);
  const u = await openWith([open], 'public-policy.json');
  await u.page.waitForSelector('[data-testid=repo-row] [data-testid=policy-exposure][data-exposure=everyone]');
  await u.page.click('[data-testid=repo-row] [data-testid=open-repo]');
  await u.page.waitForSelector('[data-testid=repo-changes] [data-testid=policy-exposure][data-exposure=everyone]');
  await u.shot('images-repository-public');
  assert.deepEqual(u.problems, []);
});

test('changes to a whole registry stand above its repositories, marked when they let another account in', async () => {
  // Registry-wide calls (request shapes of the ECR API reference) made by the identity of one of
  // the sample's repository policies, in its account, beside the whole sample.
  const events = sample();
  const policy = events.find((e) => e.eventName === 'SetRepositoryPolicy' && ok(e));
  const owner = policy.recipientAccountId;
  const other = owner === '444455556666' ? '777788889999' : '444455556666';
  const at = (minutes) => new Date(Date.parse(policy.eventTime) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  const call = (n, eventName, requestParameters, extra = {}) => ({ ...structuredClone(policy), eventName, requestParameters,
    responseElements: null, eventTime: at(n), eventID: `7e6a1c00-0000-4000-8000-${String(n).padStart(12, '0')}`, ...extra });
  const grant = (principal) => JSON.stringify({ Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: ['ecr:ReplicateImage', 'ecr:CreateRepository'], Resource: '*' }] });
  const replicate = (registryId, region) => ({ replicationConfiguration: { rules: [{ destinations: [{ region, registryId }] }] } });
  const registry = [
    call(1, 'PutRegistryScanningConfiguration', { scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }] }),
    call(2, 'CreatePullThroughCacheRule', { ecrRepositoryPrefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws' }),
    call(3, 'PutReplicationConfiguration', replicate(owner, 'eu-central-1')),
    call(4, 'PutRegistryPolicy', { policyText: grant(`arn:aws:iam::${other}:root`) }),
    call(5, 'PutReplicationConfiguration', replicate(other, 'eu-west-1')),
    call(6, 'PutRegistryPolicy', { policyText: grant(`arn:aws:iam::${other}:root`) },
      { errorCode: 'AccessDeniedException', errorMessage: 'not authorized' }),
    call(7, 'DeleteRegistryPolicy', {}),
    call(8, 'PutRegistryScanningConfiguration', { scanType: 'BASIC', rules: [] }),
    // ECR managed signing, as the ECR API reference writes its request: on, then removed.
    call(9, 'PutSigningConfiguration', { signingConfiguration: { rules: [{
      signingProfileArn: `arn:aws:signer:${policy.awsRegion}:${owner}:/signing-profiles/ecr_signing`,
      repositoryFilters: [{ filter: 'prod-*', filterType: 'WILDCARD_MATCH' }] }] } }),
    call(10, 'DeleteSigningConfiguration', {}),
  ];
  // Worked out here: which went through and let the other account in, or replicate to it.
  const lets = (e) => ok(e) && (e.eventName === 'PutRegistryPolicy' ? JSON.parse(e.requestParameters.policyText).Statement
    .some((s) => s.Principal.AWS.split(':')[4] !== owner) : e.eventName === 'PutReplicationConfiguration'
    && e.requestParameters.replicationConfiguration.rules.some((r) => r.destinations.some((d) => d.registryId !== owner)));
  const newest = [...registry].sort((a, b) => b.eventTime.localeCompare(a.eventTime));
  const t = await openWith([...events, ...registry], 'registry.json');
  await t.page.waitForSelector(`[data-testid=registry-changes][data-total="${registry.length}"]`);
  await t.page.waitForSelector('[data-testid=repo-list]');
  // Folded to the newest five, then all of them.
  const items = () => t.page.$$eval('[data-testid=registry-changes] [data-testid=change]', (els) => els.map((e) =>
    [e.dataset.call, Boolean(e.querySelector('[data-testid=replicates-out], [data-testid=policy-exposure]'))]));
  const want = newest.map((e) => [e.eventName, lets(e)]);
  assert.deepEqual(await items(), want.slice(0, 5));
  await t.page.click('[data-testid=registry-more]');
  await t.page.waitForFunction((n) => document.querySelectorAll('[data-testid=registry-changes] [data-testid=change]').length === n, registry.length);
  assert.deepEqual(await items(), want);
  assert.equal(await t.page.locator('[data-testid=registry-changes] [data-testid=replicates-out]').count(),
    registry.filter((e) => lets(e) && e.eventName === 'PutReplicationConfiguration').length);
  const where = await t.page.$$eval('[data-testid=registry-changes] [data-testid=registry]', (els) => els.map((e) => `${e.dataset.account}|${e.dataset.region}`));
  assert.deepEqual([...new Set(where)], [`${owner}|${policy.awsRegion}`]);
  const text = await t.page.textContent('[data-testid=registry-changes]');
  assert.ok(text.includes(`replicate every repository to account ${other} in eu-west-1`), text);
  assert.ok(text.includes('mirror public.ecr.aws as repositories under ecr-public/'), text);
  assert.ok(text.includes(`sign with arn:aws:signer:${policy.awsRegion}:${owner}:/signing-profiles/ecr_signing: repositories matching "prod-*"`), text);
  // The scanning left with no rule, after one that scanned on push, and the signing configuration
  // removed after one that signed, are marked turned off.
  const lowered = await t.page.$$eval('[data-testid=registry-changes] [data-testid=change]:has([data-testid=protection-lowered])',
    (els) => els.map((e) => [e.dataset.call, e.querySelector('[data-testid=protection-lowered]').textContent]));
  const off = newest.filter((e) => e.eventName === 'DeleteSigningConfiguration'
    || (e.eventName === 'PutRegistryScanningConfiguration' && !e.requestParameters.rules.length));
  assert.deepEqual(lowered, off.map((e) => [e.eventName, e.eventName.includes('Signing') ? 'signing turned off' : 'scanning turned off']));
  await t.shot('images-registry');
  assert.deepEqual(t.problems, []);
});

test('a push to ECR Public is to a repository of its own, marked public, and needs attention', async () => {
  // One of the sample's pushes made again to the account's public registry (ECR Public logs the
  // same calls from ecr-public.amazonaws.com, in us-east-1), where a private repository of the same
  // name, account and region may stand: two repositories, the public one marked.
  const events = sample();
  const put = events.find((e) => e.eventName === 'PutImage' && ok(e) && e.awsRegion === 'us-east-1');
  const name = put.requestParameters.repositoryName;
  const pub = { ...structuredClone(put), eventSource: 'ecr-public.amazonaws.com', eventID: '5b0c7e00-0000-4000-8000-000000000001' };
  const pushes = events.filter((e) => e.eventName === 'PutImage' && ok(e)).length + 1;
  const t = await openWith([...events, pub], 'public.json');
  await t.page.waitForSelector(`[data-testid=card-pushes][data-value="${pushes}"]`);
  assert.match(await t.page.textContent('[data-testid=card-pushes] .sub'), /; 1 to ECR Public$/);
  const rows = await t.page.$$eval(`[data-testid=repo-row][data-repo="${name}"][data-account="${put.recipientAccountId}"][data-region="us-east-1"]`,
    (els) => els.map((r) => Boolean(r.querySelector('[data-testid=repo-public]'))));
  assert.deepEqual(rows.sort(), [false, true]);
  await t.page.click(`[data-testid=repo-row]:has([data-testid=repo-public]) [data-testid=open-repo]`);
  await t.page.waitForSelector('[data-testid=repo-page] .page-head [data-testid=repo-public]');
  assert.ok((await t.page.textContent('[data-testid=repo-page] .page-head')).includes(`arn:aws:ecr-public::${put.recipientAccountId}:repository/${name}`));
  await t.shot('images-repository-ecr-public');
  await t.page.click('[data-testid=tab-identities]');
  // Beside the sample's three repository policies shared with another account, the public push.
  const items = t.page.locator('[data-testid=identity-attention] li[data-kind=ecr-opened]');
  await items.first().waitFor();
  const item = items.filter({ hasText: 'public.ecr.aws' });
  assert.equal(await item.count(), 1);
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), put.userIdentity.arn);
  assert.ok((await item.textContent()).includes(`to ${name}, a public repository of account ${put.recipientAccountId}`));
  assert.deepEqual(t.problems, []);
});

test('a repository opened to another account names who of that account then pulled from it', async () => {
  // After the sample's policy that lets another account pull from a repository, a role of that
  // account pulls one of its images twice (requests as the ECR API reference writes them). Who
  // of another account pulled or pushed there since the policy is worked out here from the raw
  // events.
  const events = sample();
  const policy = events.filter((e) => e.eventName === 'SetRepositoryPolicy' && ok(e)).sort((a, b) => b.eventTime.localeCompare(a.eventTime))
    .find((e) => JSON.parse(e.requestParameters.policyText).Statement.some((s) => s.Principal.AWS.split(':')[4] !== e.recipientAccountId));
  const owner = policy.recipientAccountId;
  const other = JSON.parse(policy.requestParameters.policyText).Statement.map((s) => s.Principal.AWS.split(':')[4]).find((a) => a !== owner);
  // An image pushed before these logs: pulled by its digest.
  const digest = `sha256:${'0e2e'.repeat(16)}`;
  const role = { type: 'AssumedRole', principalId: 'AROAE2EOUTSIDER:e2e', arn: `arn:aws:sts::${other}:assumed-role/Deploy/e2e`,
    accountId: other, accessKeyId: 'ASIAE2EOUTSIDER00001' };
  const at = (minutes) => new Date(Date.parse(policy.eventTime) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  const pull = (n) => ({ ...structuredClone(policy), eventName: 'BatchGetImage', userIdentity: role, eventTime: at(n),
    sourceIPAddress: '198.51.100.99', requestParameters: { repositoryName: policy.requestParameters.repositoryName, registryId: owner,
      imageIds: [{ imageDigest: digest }] }, responseElements: null, eventID: `0c7e1a00-0000-4000-8000-00000000000${n}` });
  const added = [pull(1), pull(2)];
  const all = [...events, ...added];
  const outsiders = all.filter((e) => ok(e) && place(e) === place(policy) && ['BatchGetImage', 'PutImage'].includes(e.eventName)
    && e.eventTime >= policy.eventTime && e.userIdentity.accountId && e.userIdentity.accountId !== owner);
  assert.deepEqual([...new Set(outsiders.map((e) => e.userIdentity.arn))], [role.arn], 'only the role came in from outside');
  const utc = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  const t = await openWith(all, 'opened.json');
  await t.page.click('[data-testid=tab-identities]');
  const items = t.page.locator('[data-testid=identity-attention] li[data-kind=ecr-opened]');
  await items.first().waitFor();
  if (await t.page.locator('[data-testid=identity-attention] [data-testid=list-more]').count()) {
    await t.page.click('[data-testid=identity-attention] [data-testid=list-more]');
  }
  const item = items.filter({ hasText: `registry ${owner} in ${policy.awsRegion}` });
  assert.equal(await item.count(), 1);
  assert.equal(await item.getAttribute('data-severity'), 'high');
  await item.locator('[data-testid=attention-read]').click();
  const why = await item.locator('[data-testid=attention-why]').innerText();
  const times = outsiders.map((e) => e.eventTime).sort();
  assert.ok(why.includes(`Then 1 principal of another account came in: by ${role.arn} (${outsiders.length} pulls, of 1 image, `
    + `from 198.51.100.99, between ${utc(times[0])} and ${utc(times.at(-1))})`), why);
  // The sample's other openings, with no one of the other account after them, stay medium.
  const others = await items.evaluateAll((els) => els.filter((e) => e.textContent.includes('No principal of another account'))
    .map((e) => e.dataset.severity));
  assert.ok(others.length > 0 && others.every((s) => s === 'medium'), String(others));
  await item.scrollIntoViewIfNeeded();
  await t.shot('identities-repository-opened-came-in', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('tags made mutable, a tag moved and made immutable again: high on the attention list and marked on the repository', async () => {
  // After everything the sample logs in its repository with the most images, its tags are made
  // mutable (a PutImageTagMutability as the ECR API reference writes it), one of its tags is pushed
  // again to another of its images, and the tags are made immutable again. Which tag can move is
  // worked out here by the rule: the image its last push named was neither expired nor deleted.
  const events = sample();
  const puts = events.filter((e) => e.eventName === 'PutImage' && ok(e)).sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const byRepo = new Map();
  for (const e of puts) byRepo.set(place(e), [...(byRepo.get(place(e)) ?? []), e]);
  const [where, chosen] = [...byRepo].sort((a, b) => b[1].length - a[1].length)[0];
  const digestOf = (e) => e.responseElements.image.imageId.imageDigest;
  const gone = new Set(events.filter((e) => place(e) === where && e.eventName === 'PolicyExecutionEvent')
    .flatMap((e) => e.serviceEventDetails.lifecycleEventImageActions.map((a) => a.lifecycleEventImage.digest)));
  const lastOf = new Map(chosen.map((e) => [e.requestParameters.imageTag, digestOf(e)]));
  const [tag, from] = [...lastOf].find(([, d]) => !gone.has(d)) ?? [];
  assert.ok(tag, 'a tag whose image is still there');
  const other = chosen.find((e) => digestOf(e) !== from);
  const name = other.requestParameters.repositoryName;
  const end = events.filter((e) => place(e) === where).map((e) => e.eventTime).sort().at(-1);
  const at = (minutes) => new Date(Date.parse(end) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  const mutability = (n, value) => ({ ...structuredClone(other), eventName: 'PutImageTagMutability', eventTime: at(n),
    eventID: `6d1a0c00-0000-4000-8000-${String(n).padStart(12, '0')}`,
    requestParameters: { repositoryName: name, registryId: other.recipientAccountId, imageTagMutability: value },
    responseElements: { repositoryName: name, registryId: other.recipientAccountId, imageTagMutability: value } });
  const moved = { ...structuredClone(other), eventTime: at(2), eventID: '6d1a0c00-0000-4000-8000-0000000000f2' };
  moved.requestParameters.imageTag = tag;
  moved.responseElements.image.imageId.imageTag = tag;
  const added = [mutability(1, 'MUTABLE'), moved, mutability(3, 'IMMUTABLE')];
  const created = events.find((e) => place(e) === where && e.eventName === 'CreateRepository' && ok(e));
  const before = created ? (created.requestParameters.imageTagMutability ?? created.responseElements?.repository?.imageTagMutability ?? 'MUTABLE') : null;

  const t = await openWith([...events, ...added], 'mutable.json');
  await t.page.click('[data-testid=tab-identities]');
  const items = t.page.locator('[data-testid=identity-attention] li[data-kind=ecr-protection-lowered]');
  await items.first().waitFor();
  // Set to MUTABLE from IMMUTABLE-or-unknown lowers it; from MUTABLE it would not.
  assert.notEqual(before, 'MUTABLE', `the sample made ${name} ${before}: pick a repository whose tags were protected`);
  assert.equal(await items.count(), 1);
  const item = items.first();
  assert.equal(await item.getAttribute('data-severity'), 'high');
  const text = await item.textContent();
  // The title is the principal line's tooltip (the card names the principal in its place).
  const title = await item.locator('[data-testid=attention-who]').getAttribute('title');
  assert.ok(title.includes(`Tags of repository ${name} made mutable, then ${tag} moved`), title);
  assert.ok(text.includes(`${tag} from ${from.slice(0, 19)} to ${digestOf(other).slice(0, 19)}`), text);
  assert.ok(text.includes(before ? `from ${before} (set by CreateRepository` : '(the setting before is not in these logs)'), text);
  assert.ok(text.includes('It was set to IMMUTABLE at'), text);
  assert.equal(await item.locator('[data-testid=attention-who]').getAttribute('data-principal'), other.userIdentity.arn);
  await t.shot('identities-protection-lowered');
  // It narrows every view to the change, the move and the change back.
  await item.click();
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=events-total]')?.textContent === n, String(added.length));
  // The repository's page marks the change that went through and turned the protection down.
  await t.page.click('[data-testid=tab-images]');
  await t.page.click(`[data-testid=repo-row][data-repo="${name}"][data-account="${other.recipientAccountId}"][data-region="${other.awsRegion}"] [data-testid=open-repo]`);
  await t.page.waitForSelector('[data-testid=repo-changes] [data-testid=protection-lowered]');
  const marks = await t.page.$$eval('[data-testid=repo-changes] [data-testid=change]', (els) => els.map((e) =>
    [e.dataset.call, e.querySelector('[data-testid=protection-lowered]')?.textContent ?? '']));
  assert.deepEqual(marks.filter(([call]) => call === 'PutImageTagMutability'), [['PutImageTagMutability', 'tags made mutable'], ['PutImageTagMutability', '']]);
  // The push that moved the tag says the tags were mutable then, since when and by whom.
  const unguarded = t.page.locator('[data-testid=repo-page] [data-testid=tag-moved][data-from] [data-testid=tag-moved-unguarded]');
  assert.equal(await unguarded.count(), 1);
  assert.equal(await unguarded.getAttribute('data-principal'), other.userIdentity.arn);
  assert.ok((await unguarded.textContent()).includes(`made so at ${at(1).replace('T', ' ').replace('Z', ' UTC')}`));
  await t.shot('images-repository-protection-lowered');
  assert.deepEqual(t.problems, []);
});

test('a repository\'s KMS key disabled: high on the attention list, and the call on its repository\'s page', async () => {
  // The sample's repositories say which KMS key encrypts them through the grants ECR asks KMS for
  // (CreateGrant, the repository's ARN in its encryption context). One such key is disabled after
  // everything the sample logs; which repositories it stops is worked out here from the grants.
  const events = sample();
  const grants = events.filter((e) => e.eventName === 'CreateGrant' && ok(e)
    && e.requestParameters.constraints?.encryptionContextSubset?.['aws:ecr:arn']);
  const keyOf = (id) => id.split(':key/').at(-1);
  const repos = new Map();
  for (const g of grants) {
    const key = keyOf(g.requestParameters.keyId);
    repos.set(key, new Set([...(repos.get(key) ?? []), g.requestParameters.constraints.encryptionContextSubset['aws:ecr:arn']]));
  }
  const [key, arns] = [...repos].sort((a, b) => b[1].size - a[1].size)[0];
  const grant = grants.find((g) => keyOf(g.requestParameters.keyId) === key);
  const end = events.map((e) => e.eventTime).sort().at(-1);
  const disable = { ...structuredClone(grant), eventName: 'DisableKey', requestParameters: { keyId: key }, responseElements: null,
    eventTime: new Date(Date.parse(end) + 60_000).toISOString().replace('.000Z', 'Z'), eventID: '6d1a0c00-0000-4000-8000-0000000000d1' };
  delete disable.userIdentity.invokedBy;
  const names = [...arns].map((a) => a.split(':repository/')[1]);
  const title = names.length === 1 ? `KMS key of repository ${names[0]} disabled` : `KMS key of ${names.length} repositories disabled`;

  const t = await openWith([...events, disable], 'key-disabled.json');
  await t.page.click('[data-testid=tab-identities]');
  const items = t.page.locator('[data-testid=identity-attention] li[data-kind=ecr-protection-lowered]');
  await items.first().waitFor();
  assert.equal(await items.count(), 1);
  assert.equal(await items.first().getAttribute('data-severity'), 'high');
  assert.ok((await items.first().locator('[data-testid=attention-who]').getAttribute('title')).includes(title));
  assert.ok((await items.first().textContent()).includes(`left KMS key ${key} disabled: repository`));
  await t.shot('identities-repository-key-disabled');
  // Each repository the key encrypts lists the call, marked.
  await t.page.click('[data-testid=tab-images]');
  const [account, region] = [arns.values().next().value.split(':')[4], arns.values().next().value.split(':')[3]];
  await t.page.click(`[data-testid=repo-row][data-repo="${names[0]}"][data-account="${account}"][data-region="${region}"] [data-testid=open-repo]`);
  const mark = t.page.locator('[data-testid=repo-changes] [data-testid=change][data-call=DisableKey] [data-testid=protection-lowered]');
  await mark.waitFor();
  assert.equal(await mark.textContent(), 'KMS key disabled');
  assert.deepEqual(t.problems, []);
});

test('another service naming an image (a SageMaker model) is in its story and on its repository\'s page', async () => {
  // CreateModel as AWS's SageMaker guide shows it logged (the image in primaryContainer.image),
  // naming one of the sample's pushed images by its tag a second after that push: it resolves to
  // that push's digest. A read of the model names it too, and is no use.
  const events = sample();
  const put = events.find((e) => e.eventName === 'PutImage' && ok(e) && e.requestParameters.imageTag
    && e.responseElements?.image?.imageId?.imageDigest);
  const account = put.requestParameters.registryId ?? put.recipientAccountId;
  const repo = put.requestParameters.repositoryName;
  const digest = put.responseElements.image.imageId.imageDigest;
  const uri = `${account}.dkr.ecr.${put.awsRegion}.amazonaws.com/${repo}:${put.requestParameters.imageTag}`;
  const at = (s) => new Date(Date.parse(put.eventTime) + s * 1000).toISOString().replace('.000Z', 'Z');
  const model = (n, eventName, readOnly) => ({ eventVersion: '1.05', userIdentity: structuredClone(put.userIdentity),
    eventTime: at(n), eventSource: 'sagemaker.amazonaws.com', eventName, awsRegion: put.awsRegion, sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.15.0', requestParameters: { modelName: 'ExampleModel', primaryContainer: { image: uri },
      executionRoleArn: `arn:aws:iam::${account}:role/EXAMPLEARN` }, responseElements: null, readOnly,
    eventID: `0f2b3e81-0000-4000-8000-00000000000${n}`, eventType: 'AwsApiCall', recipientAccountId: account });
  const t = await openWith([...events, model(1, 'CreateModel', false), model(2, 'DescribeModel', true)], 'uses.json');
  await t.page.click(`[data-testid=repo-row][data-repo="${repo}"][data-account="${account}"][data-region="${put.awsRegion}"] [data-testid=open-repo]`);
  const rows = t.page.locator('[data-testid=repo-uses] [data-testid=use-row]');
  await rows.first().waitFor();
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => `${e.dataset.service} ${e.dataset.call}`)), ['sagemaker.amazonaws.com CreateModel']);
  assert.ok((await rows.first().textContent()).includes('ExampleModel'));
  // On a phone each is a block within the panel, not a table running past it.
  await t.page.setViewportSize({ width: 390, height: 900 });
  const widths = await t.page.$eval('[data-testid=repo-uses]', (p) => [p.querySelector('table').getBoundingClientRect().width, p.getBoundingClientRect().width]);
  assert.ok(widths[0] <= widths[1], `the list is ${widths[0]} px wide in a ${widths[1]} px panel`);
  await t.page.locator('[data-testid=repo-uses]').scrollIntoViewIfNeeded();
  await t.shot('images-repository-uses-phone', { fullPage: false });
  await t.page.setViewportSize({ width: 1440, height: 1000 });
  await t.page.click(`[data-testid=repo-uses] [data-testid=open-image][data-digest="${digest}"]`);
  await t.page.waitForSelector(`[data-testid=image-page][data-digest="${digest}"]`);
  const used = t.page.locator('[data-testid=story-step][data-kind=used]');
  assert.equal(await used.count(), 1);
  assert.equal(await used.locator('.step-title').textContent(), 'Used by sagemaker CreateModel ExampleModel');
  await used.scrollIntoViewIfNeeded();
  await t.shot('images-image-used-by');
  // Every write of another service naming an ECR image, of any repository, on the Images tab's
  // own list: counted here by walking each request for a private ECR image URI.
  const ecrImage = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9._/-]+([:@].+)?$/;
  const names = (v) => (typeof v === 'string' ? ecrImage.test(v) : v && typeof v === 'object' && Object.values(v).some(names));
  const theirs = new Set(['ecr.amazonaws.com', 'ecr-public.amazonaws.com', 'ecs.amazonaws.com', 'imagebuilder.amazonaws.com', 'kms.amazonaws.com']);
  const uses = [...events, model(1, 'CreateModel', false), model(2, 'DescribeModel', true)]
    .filter((e) => !theirs.has(e.eventSource) && e.readOnly !== true && names(e.requestParameters));
  assert.ok(uses.length >= 1);
  await t.page.click('[data-testid=images-nav-uses]');
  assert.equal(await t.page.textContent('[data-testid=images-nav-uses] .count'), String(uses.length));
  const listed = t.page.locator('[data-testid=uses-list] [data-testid=use-row]');
  await listed.first().waitFor();
  assert.equal(await listed.count(), Math.min(uses.length, 100));
  assert.equal(await t.page.textContent('[data-testid=uses-list] h2 .count'), String(uses.length));
  // Its image says which repository of that name (the sample has three web/frontend) it is.
  const mine = listed.filter({ hasText: 'ExampleModel' });
  assert.equal(await mine.count(), 1);
  assert.equal(await mine.locator('[data-testid=use-place]').textContent(), `${account} · ${put.awsRegion}`);
  await t.shot('images-uses-list');
  // Its event's detail links to the image it names (the tag as it was then) and its repository.
  await mine.locator('[data-testid=raw-events] summary').click();
  await mine.locator('[data-testid=raw-events] li[data-row] button.ename').click();
  await t.page.waitForSelector('[data-testid=detail-open-image]');
  assert.equal(await t.page.textContent('[data-testid=detail-name]'), 'CreateModel');
  assert.equal(await t.page.getAttribute('[data-testid=detail-open-image]', 'title'), digest);
  assert.equal(await t.page.textContent('[data-testid=detail-open-repo]'), repo);
  await t.page.click('[data-testid=close-detail]');
  // On the timeline, a lane of their own after ECS's: its marks count every use, the one refused
  // among them (none in the sample) as failed.
  await t.page.click('[data-testid=tab-timeline]');
  await t.page.click('[data-testid=timeline-table-toggle]');
  const drawn = t.page.locator('[data-testid=timeline-table] tbody tr[data-mark=use]');
  await drawn.first().waitFor();
  const cells = await drawn.evaluateAll((rows) => rows.map((r) => [...r.children].map((td) => td.textContent)));
  assert.ok(cells.every((c) => c[1] === 'Image uses'), JSON.stringify(cells));
  assert.equal(cells.reduce((n, c) => n + Number(c[3].replace(/,/g, '')), 0), uses.length);
  assert.equal(cells.reduce((n, c) => n + Number(c[4].replace(/,/g, '')), 0), uses.filter((e) => e.errorCode).length);
  await t.page.locator('[data-testid=timeline-canvas]').scrollIntoViewIfNeeded();
  await t.shot('timeline-image-uses', { fullPage: false });
  assert.deepEqual(t.problems, []);
});

test('an image of another account\'s registry is marked so where a call uses it', async () => {
  // One of the sample's pushed images named by two SageMaker models: one made in the registry's
  // own account, one in another (a workload running an image it does not own).
  const events = sample();
  const put = events.find((e) => e.eventName === 'PutImage' && ok(e) && e.requestParameters.imageTag);
  const account = put.requestParameters.registryId ?? put.recipientAccountId;
  const uri = `${account}.dkr.ecr.${put.awsRegion}.amazonaws.com/${put.requestParameters.repositoryName}:${put.requestParameters.imageTag}`;
  const model = (n, name, where) => ({ eventVersion: '1.05', eventTime: put.eventTime, eventSource: 'sagemaker.amazonaws.com',
    eventName: 'CreateModel', awsRegion: put.awsRegion, sourceIPAddress: '203.0.113.9', userAgent: 'aws-cli/2.15.0',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${where}:user/ml`, accountId: where, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' },
    requestParameters: { modelName: name, primaryContainer: { image: uri } }, responseElements: null, readOnly: false,
    eventID: `0f2b3e81-0000-4000-8000-00000000010${n}`, eventType: 'AwsApiCall', recipientAccountId: where });
  const elsewhere = account === '444455556666' ? '777788889999' : '444455556666';
  const t = await openWith([...events, model(1, 'OwnModel', account), model(2, 'ForeignModel', elsewhere)], 'foreign.json');
  await t.page.click('[data-testid=images-nav-uses]');
  const rows = t.page.locator('[data-testid=uses-list] [data-testid=use-row]');
  await rows.first().waitFor();
  const marked = await rows.evaluateAll((els) => els.map((e) => [e.querySelector('b')?.textContent, !!e.querySelector('[data-testid=use-other-account]')]));
  assert.deepEqual(marked.filter(([name]) => name === 'OwnModel' || name === 'ForeignModel').sort(), [['ForeignModel', true], ['OwnModel', false]]);
  assert.equal(marked.filter(([, m]) => m).length, 1, JSON.stringify(marked));
  assert.deepEqual(t.problems, []);
});

test('a refused ECS call is no deployment, and the Deployments card says it was refused', async () => {
  // One of the sample's task runs, refused: the list holds it, the card's figure does not.
  const run = sample().find((e) => e.eventSource === 'ecs.amazonaws.com' && e.eventName === 'RunTask' && ok(e));
  const refused = { ...run, errorCode: 'AccessDeniedException', errorMessage: 'not authorized to perform: ecs:RunTask', responseElements: null };
  const t = await openWith([refused], 'refused-run-task.json');
  await t.page.waitForSelector('[data-testid=card-deployments][data-value="0"]');
  assert.equal(await t.page.textContent('[data-testid=card-deployments] .sub'), '0 task definitions; 1 ECS call listed, 1 refused');
  assert.deepEqual(t.problems, []);
});

test('the headline figures and lists agree with the sample', async () => {
  const events = sample();
  const pushes = events.filter((e) => e.eventName === 'PutImage' && ok(e)).length;
  const failedPulls = events.filter((e) => e.eventName === 'BatchGetImage' && !ok(e)).length;
  const pulls = events.filter((e) => e.eventName === 'BatchGetImage' && ok(e)).length;
  const expired = events.filter((e) => e.eventName === 'PolicyExecutionEvent')
    .reduce((n, e) => n + e.serviceEventDetails.lifecycleEventImageActions.length, 0);
  const t = await openSampleImages('[data-testid=images-cards]');
  const value = (id) => t.page.getAttribute(`[data-testid=${id}]`, 'data-value').then(Number);
  assert.equal(await value('card-pushes'), pushes);
  assert.equal(await value('card-failed-pulls'), failedPulls);
  // Under it, why, by the error codes of the refused BatchGetImage calls.
  const codes = events.filter((e) => e.eventName === 'BatchGetImage' && !ok(e)).map((e) => e.errorCode);
  const kinds = [
    [codes.filter((c) => /NotFoundException$/.test(c)).length, 'not found'],
    [codes.filter((c) => /AccessDenied|UnauthorizedOperation$/.test(c)).length, 'access denied'],
  ];
  const others = codes.length - kinds[0][0] - kinds[1][0];
  const why = [...kinds.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`),
    ...(others > 0 ? [`${others} other error${others === 1 ? '' : 's'}`] : [])].join(', ') || 'none';
  assert.ok(codes.length > 0, 'the sample has a refused pull');
  assert.equal(await t.page.textContent('[data-testid=card-failed-pulls] .sub'), why);
  assert.equal(await value('card-expired'), expired);
  assert.equal(await value('card-pulls'), pulls);

  // A card opens the list of what it counts: the Pulls card, the pulls that went through; the
  // switch above the list counts each outcome, and all of them add up to the sub-tab's figure.
  const listCount = (list) => t.page.textContent(`[data-testid=${list}] h2 > .count`).then((s) => Number(s.replace(/,/g, '')));
  const segCount = (slug) => t.page.getAttribute(`[data-testid=outcome-${slug}]`, 'data-count').then(Number);
  await t.page.click('[data-testid=card-pulls]');
  await t.page.waitForSelector('[data-testid=pull-list] [data-testid=outcome-ok].active[data-count]');
  assert.equal(await listCount('pull-list'), pulls);
  assert.equal(await segCount('ok'), pulls);
  assert.equal(await segCount('failed'), failedPulls);
  assert.equal(await segCount('all'), pulls + failedPulls);
  assert.equal(await t.page.locator('[data-testid=pull-row][data-outcome=Failed]').count(), 0);
  await t.page.click('[data-testid=outcome-all]');
  await t.page.waitForFunction((n) => document.querySelector('[data-testid=pull-list] h2 > .count')?.textContent === String(n)
    && document.querySelector('[data-testid=outcome-all]')?.classList.contains('active'), pulls + failedPulls);
  assert.match(await t.page.textContent('[data-testid=images-nav-pulls] .count'), new RegExp(`^${pulls + failedPulls}$`));
  await t.shot('images-pulls-all');
  await t.page.click('[data-testid=card-pushes]');
  await t.page.waitForSelector('[data-testid=push-list] [data-testid=outcome-ok].active[data-count]');
  assert.equal(await listCount('push-list'), pushes);

  await t.page.click('[data-testid=images-nav-pushes]');
  await t.page.waitForSelector('[data-testid=push-list] [data-testid=push-row]');
  assert.equal(await t.page.locator('[data-testid=push-row][data-outcome=Ok]').count(), pushes);
  await t.shot('images-pushes');

  await t.page.click('[data-testid=card-failed-pulls]');
  await t.page.waitForSelector('[data-testid=pull-list]');
  await t.page.waitForFunction((n) => document.querySelectorAll('[data-testid=pull-row][data-outcome=Failed]').length === n, failedPulls);
  await t.shot('images-refused-pulls');

  await t.page.click('[data-testid=images-nav-lifecycle]');
  await t.page.waitForSelector('[data-testid=lifecycle-run]');
  await t.shot('images-lifecycle');

  // The ECS list: the calls that register, deploy, run, stop and host images, not the reads.
  const ecsCalls = new Set(['RegisterTaskDefinition', 'DeregisterTaskDefinition', 'DeleteTaskDefinitions', 'CreateService',
    'UpdateService', 'DeleteService', 'RunTask', 'StartTask', 'StopTask', 'ExecuteCommand', 'CreateCluster', 'DeleteCluster',
    'UpdateCluster', 'UpdateClusterSettings', 'PutClusterCapacityProviders']);
  const ecs = uniqueEvents(events.filter((e) => e.eventSource === 'ecs.amazonaws.com' && ecsCalls.has(e.eventName)));
  assert.ok(ecs > 0 && ecs < uniqueEvents(events.filter((e) => e.eventSource === 'ecs.amazonaws.com')), 'the sample has both kinds');
  await t.page.click('[data-testid=images-nav-ecs]');
  await t.page.waitForSelector('[data-testid=ecs-list]');
  assert.equal(await t.page.textContent('[data-testid=images-nav-ecs] .count'), String(ecs));
  assert.equal(await t.page.locator('[data-testid=ecs-row]').count(), ecs);
  // A service or task whose task definition was registered before the logs says so, unless a task's
  // response lists its images: in the sample, services updated with revisions registered earlier.
  const familyRevision = (td) => { const [family, revision] = td.slice(td.lastIndexOf('/') + 1).split(':'); return { family, revision }; };
  const registrations = events.filter((e) => e.eventSource === 'ecs.amazonaws.com' && e.eventName === 'RegisterTaskDefinition' && ok(e))
    .map((e) => ({ where: `${e.recipientAccountId}|${e.awsRegion}`, time: e.eventTime, ...familyRevision(e.responseElements.taskDefinition.taskDefinitionArn) }));
  const unregistered = uniqueEvents(events.filter((e) => {
    if (e.eventSource !== 'ecs.amazonaws.com' || !['CreateService', 'UpdateService', 'RunTask', 'StartTask'].includes(e.eventName)) return false;
    const td = e.requestParameters?.taskDefinition;
    if (!td) return false;
    const { family, revision } = familyRevision(td);
    const where = `${e.recipientAccountId}|${e.awsRegion}`;
    const registered = registrations.some((r) => r.where === where && r.family === family && (revision ? r.revision === revision : r.time <= e.eventTime));
    const listed = (e.responseElements?.tasks ?? []).some((task) => (task.containers ?? []).some((c) => c.image));
    return !registered && !listed;
  }));
  assert.ok(unregistered > 0, 'the sample has services of task definitions registered before it');
  assert.equal(await t.page.locator('[data-testid=ecs-registration-missing]').count(), unregistered);
  await t.shot('images-ecs');
  // The Deployments card counts the services created or deployed anew and the tasks started that
  // went through (an UpdateService deploys when it names a task definition or forces a
  // deployment, or changes network, platform, capacity, load balancers, discovery or volumes, as
  // AWS's UpdateService reference says); its line names the task definitions registered and the
  // calls the list it opens shows.
  const redeploys = ['taskDefinition', 'forceNewDeployment', 'networkConfiguration', 'platformVersion', 'capacityProviderStrategy',
    'loadBalancers', 'serviceRegistries', 'serviceConnectConfiguration', 'volumeConfigurations'];
  const deploys = (e) => e.eventName !== 'UpdateService'
    || redeploys.some((k) => e.requestParameters?.[k] !== undefined && e.requestParameters[k] !== false);
  const deployments = uniqueEvents(events.filter((e) => e.eventSource === 'ecs.amazonaws.com' && ok(e) && deploys(e)
    && ['CreateService', 'UpdateService', 'RunTask', 'StartTask'].includes(e.eventName)));
  const taskDefs = uniqueEvents(events.filter((e) => e.eventSource === 'ecs.amazonaws.com' && ok(e) && e.eventName === 'RegisterTaskDefinition'));
  const plural = (n, one) => `${n} ${one}${n === 1 ? '' : 's'}`;
  assert.ok(deployments > 0 && deployments + taskDefs < ecs, 'the sample has deployments and other ECS calls');
  assert.equal(await value('card-deployments'), deployments);
  assert.equal(await t.page.textContent('[data-testid=card-deployments] .sub'),
    `${plural(taskDefs, 'task definition')}; ${plural(ecs, 'ECS call')} listed`);

  await t.page.click('[data-testid=images-nav-builder]');
  await t.page.waitForSelector('[data-testid=builder-notice]');
  assert.match(await t.page.textContent('[data-testid=builder-notice]'), /not in CloudTrail/);
  await t.shot('images-builder');
  assert.deepEqual(t.problems, []);
  assert.deepEqual(await t.cspViolations(), []);
});

test('a repository created in the logs says so; under a filter that leaves its creation out, it says the filter did', async () => {
  const events = sample();
  const created = events.filter((e) => e.eventName === 'CreateRepository' && ok(e)).map(place);
  const pushedTo = new Set(events.filter((e) => e.eventName === 'PutImage').map(place));
  const both = created.filter((p) => pushedTo.has(p));
  assert.ok(both.length > 0, 'the sample has a repository created and pushed to');
  const t = await openSampleImages('[data-testid=repo-row]');
  const createdCell = async (where) => {
    const [account, region, repo] = where.split('|');
    return t.page.textContent(`[data-testid=repo-row][data-repo="${repo}"][data-account="${account}"][data-region="${region}"] td:nth-child(2)`);
  };
  for (const where of created) assert.match(await createdCell(where), /^\d{4}-\d\d-\d\d /, where);
  // Only the PutImage calls: the repositories are there, their CreateRepository is filtered out.
  await recordTexts(t.page, '[data-testid=images-cards]', 'data-state');
  await recordTexts(t.page, '[data-testid=repo-list]', 'aria-busy');
  await recordTexts(t.page, '[data-testid=images-nav-pushes] .count', 'class');
  await t.page.fill('[data-testid=search]', 'PutImage');
  await t.page.press('[data-testid=search]', 'Enter');
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=filter-chips] .chip').length === 1);
  await t.page.waitForFunction((n) => document.querySelectorAll('[data-testid=repo-row]').length === n, pushedTo.size);
  await t.page.waitForSelector('[data-testid=images-cards][data-state=ready]');
  // Until the new answers came, the figures and the list shown were marked as being updated.
  assert.deepEqual(await recordedTexts(t.page, '[data-testid=images-cards]', 'data-state'), ['ready', 'updating', 'ready']);
  assert.deepEqual(await recordedTexts(t.page, '[data-testid=repo-list]', 'aria-busy'), ['false', 'true', 'false']);
  assert.deepEqual(await recordedTexts(t.page, '[data-testid=images-nav-pushes] .count', 'class'), ['count', 'count updating', 'count']);
  for (const where of both) assert.equal(await createdCell(where), 'not in the filtered events', where);
  assert.deepEqual(t.problems, []);
});

test('one event and one pushed image are spoken of in the singular', async () => {
  const file = join(ROOT, 'tests/fixtures/ingest/shapes/single-event.json');
  // The file is one event, not a Records document.
  const event = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(event.eventName, 'PutImage');
  const t = await Trailscope.open(env);
  await t.pickFiles([file]);
  await t.waitDone();
  assert.equal(await t.page.textContent('[data-testid=ingest-status] .facts > span:first-child'), '1 event');
  await t.page.click('[data-testid=tab-images]');
  await t.page.waitForSelector('[data-testid=card-pushes][data-value="1"]');
  assert.equal(await t.page.textContent('[data-testid=card-pushes] .sub'), '1 distinct image');
  assert.equal(await t.page.textContent('[data-testid=card-expired] .sub'), '0 lifecycle runs');
  assert.deepEqual(t.problems, []);
});

test('a push by a GitHub Actions workflow\'s role session names the workflow behind it', async () => {
  // The real AssumeRoleWithWebIdentity of a workflow in the corpus (ccbrown/cloud-snitch), and one
  // of the sample's pushes made with the key it handed out.
  const dir = corpusDir();
  if (!dir) return;
  const web = readFileSync(join(dir, 'ccbrown-cloud-snitch/aws_cloudtrail_test.go.rawEvent_literals.jsonl'), 'utf8')
    .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)).find((e) => e.eventName === 'AssumeRoleWithWebIdentity');
  const { subjectFromWebIdentityToken: subject, credentials, assumedRoleUser } = web.responseElements;
  const put = structuredClone(sample().find((e) => e.eventName === 'PutImage' && ok(e)));
  put.userIdentity = { type: 'AssumedRole', arn: assumedRoleUser.arn, accountId: web.recipientAccountId, accessKeyId: credentials.accessKeyId };
  put.eventTime = '2025-04-16T03:00:00Z';
  const t = await openWith([web, put], 'origin.json');
  await t.page.click('[data-testid=images-nav-pushes]');
  const origin = t.page.locator('[data-testid=push-row] [data-testid=who-origin]');
  await origin.waitFor();
  assert.equal(await origin.getAttribute('data-via'), 'GitHub Actions');
  assert.equal(await origin.locator('.origin').textContent(), subject);
  await t.shot('images-push-by-github-actions');
  // One click: everything the workflow started, in every view (the STS call and the push).
  await origin.locator('button').click();
  await t.page.waitForSelector('[data-testid=filter-chips] .chip[data-field=Origin]');
  await t.page.click('[data-testid=tab-events]');
  await t.page.waitForFunction(() => document.querySelectorAll('[data-testid=events] .ev-row[data-row]').length === 2);
  const names = await t.page.$$eval('[data-testid=events] .ev-row[data-row] .cell:nth-child(2)', (cells) => cells.map((c) => c.title));
  assert.deepEqual(names.sort(), ['ecr.amazonaws.com PutImage', 'sts.amazonaws.com AssumeRoleWithWebIdentity']);
  assert.deepEqual(t.problems, []);
});
