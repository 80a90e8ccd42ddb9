// Installs the plugin into a vault: `npm run setup -- [vault path] [--config-dir NAME]`.
// Builds main.js with the project's esbuild config (production), then copies main.js, manifest.json and styles.css
// into <vault>/<config dir>/plugins/vault-agent/. Without a vault path it installs into example-vault/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = ['main.js', 'manifest.json', 'styles.css'];
const USAGE = 'Usage: npm run setup -- [path/to/vault] [--config-dir NAME]   (default vault: example-vault/)';

/** Reads `[vault] [--config-dir NAME]`; returns an error message instead of throwing. */
function parseArgs(argv) {
    let vault = null;
    let configDir = '.obsidian';
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--help' || arg === '-h') return { help: true };
        if (arg === '--config-dir' || arg.startsWith('--config-dir=')) {
            const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
            if (!value || value.startsWith('-')) return { error: '--config-dir needs a folder name, e.g. .obsidian' };
            if (/[\\/]|^\.\.?$/.test(value))
                return { error: `--config-dir must be a folder name, not a path: ${value}` };
            configDir = value;
        } else if (arg.startsWith('-')) {
            return { error: `Unknown option ${arg}` };
        } else if (vault === null) {
            vault = arg;
        } else {
            return { error: `Give one vault path, not several (${vault}, ${arg})` };
        }
    }
    return { vault: resolve(vault ?? join(ROOT, 'example-vault')), configDir };
}

/** Prints a line; the console is not used, so the plugin's lint rules hold here too. */
function say(text) {
    process.stdout.write(`${text}\n`);
}

function fail(message) {
    process.stderr.write(`setup: ${message}\n${USAGE}\n`);
    process.exit(1);
}

const args = parseArgs(process.argv.slice(2));
if (args.help) {
    say(USAGE);
    process.exit(0);
}
if (args.error) fail(args.error);

const { vault, configDir } = args;
if (!existsSync(vault)) fail(`the vault folder does not exist: ${vault}`);
if (!statSync(vault).isDirectory()) fail(`not a folder: ${vault}`);

say('Building main.js (production)…');
const build = spawnSync(process.execPath, ['esbuild.config.mjs', 'production'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) fail('the build failed (see above); nothing was copied.');

const configPath = join(vault, configDir);
if (!existsSync(configPath)) {
    say(`Note: ${configPath} does not exist yet; creating it. Open the folder as a vault in Obsidian once.`);
}
const target = join(configPath, 'plugins', 'vault-agent');
mkdirSync(target, { recursive: true });
for (const file of FILES) {
    const source = join(ROOT, file);
    if (!existsSync(source)) fail(`${file} is missing in ${ROOT}; nothing more was copied.`);
    copyFileSync(source, join(target, file));
    say(`Copied ${file} → ${join(target, file)}`);
}

const enabledList = join(configPath, 'community-plugins.json');
let enabled = false;
try {
    enabled = JSON.parse(readFileSync(enabledList, 'utf8')).includes('vault-agent');
} catch {
    enabled = false;
}
const { version } = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8'));
say(`Installed Vault Agent ${version} into ${vault}`);
say(
    enabled
        ? 'It is enabled in this vault: reload Obsidian (or the plugin) to pick up the new build.'
        : 'Enable it in Obsidian: Settings → Community plugins → Vault Agent.',
);
