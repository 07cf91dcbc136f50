import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Trailscope, start } from './harness.mjs';
const env = await start();
const t = await Trailscope.open(env);
const dir = '/work/shared/corpus/invictus-ir-aws_dataset/CloudTrail';
await t.pickFiles(readdirSync(dir).map((f) => join(dir, f)));
await t.waitDone();
for (const tab of ['overview', 'timeline', 'images', 'identities', 'events', 'integrity']) {
  await t.page.click(`[data-testid=tab-${tab}]`);
  await t.page.waitForTimeout(1200);
  await t.page.screenshot({ path: `/tmp/look/inv-${tab}.png`, fullPage: true });
}
process.exit(0);
