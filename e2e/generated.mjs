// Generated CloudTrail logs for the scale tests and the benchmark, made once and cached under
// target/bench-data/events-N/ by the shared generator (../shared/tools/gen_cloudtrail.py, or
// $TRAILSCOPE_GENERATOR), with its truth file (what it wrote, counted by the generator itself).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, walk } from './harness.mjs';

export const GENERATOR = process.env.TRAILSCOPE_GENERATOR
  || resolve(ROOT, '..', 'shared', 'tools', 'gen_cloudtrail.py');

/** `{ dir, files, truth }` for about `events` events, or null when the generator is not there. */
export function generated(events, { log = () => {} } = {}) {
  const dir = join(ROOT, 'target', 'bench-data', `events-${events}`);
  const truthPath = join(dir, 'truth.json');
  if (!existsSync(truthPath)) {
    if (!existsSync(GENERATOR)) return null;
    const tmp = `${dir}.partial`;
    rmSync(tmp, { recursive: true, force: true });
    log(`Generating ${events} events with ${GENERATOR} into ${dir} (once; cached)`);
    execFileSync('python3', [GENERATOR, '--events', String(events), '--out', tmp, '--truth', join(tmp, 'truth.json')],
      { stdio: ['ignore', 'ignore', 'ignore'] });
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  const files = walk(join(dir, 'AWSLogs')).sort();
  return { dir, files, truth: JSON.parse(readFileSync(truthPath, 'utf8')) };
}
