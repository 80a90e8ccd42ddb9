/**
 * Where the browser tests save their screenshots. A test run writes them to `test-results/browser/` (ignored by git),
 * so running the suite never changes a tracked file; `npm run screenshots` sets `VAULT_AGENT_SCREENSHOTS=readme` and
 * the same tests refresh the README's images in `docs/images/` on purpose.
 */
import { join } from 'node:path';
import { REPO_ROOT } from './server';

/** The folder this run's screenshots go to. */
export function screenshotFolder(env: Record<string, string | undefined> = process.env): string {
    return env.VAULT_AGENT_SCREENSHOTS === 'readme'
        ? join(REPO_ROOT, 'docs', 'images')
        : join(REPO_ROOT, 'test-results', 'browser');
}
