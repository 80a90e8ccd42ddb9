// `npm run screenshots`: refreshes the README's images in docs/images/ on purpose, by running the browser tests
// that take them with VAULT_AGENT_SCREENSHOTS=readme. A plain `npm run test:browser` writes to test-results/ instead.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import process from 'node:process';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const result = spawnSync(
    process.execPath,
    [
        vitest,
        'run',
        '--config',
        'tests/browser/vitest.config.ts',
        'tests/browser/chat.test.ts',
        'tests/browser/queue.test.ts',
        'tests/browser/cited-answer.test.ts',
        'tests/browser/inline-edit.test.ts',
        'tests/browser/inbox.test.ts',
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, VAULT_AGENT_SCREENSHOTS: 'readme' } },
);
process.exitCode = result.status ?? 1;
