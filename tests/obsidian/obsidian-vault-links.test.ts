/**
 * `ObsidianVault` and symbolic links on a REAL folder (issue 14, item 1, the plugin side): where a path really leads
 * on desktop, the cache of those answers (dropped by vault events and by an `lstat` that sees a re-pointed link), the
 * vault folder itself reached through a link, mobile (no Node, every path leads to itself), and the open-note editor,
 * which must not write through a link either. The stub vault lists the folder as Obsidian's desktop adapter does
 * (links followed, see tests/support/obsidian-stub-disk.ts); what it cannot show is Obsidian's own indexing of links.
 */
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import type { App as ObsidianApp, EventRef } from 'obsidian';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeDiskCalls } from '../../src/obsidian/disk-calls-node';
import type { DiskCalls } from '../../src/obsidian/disk-links';
import { EditorWriter } from '../../src/obsidian/editor-writer';
import { ObsidianVault } from '../../src/obsidian/obsidian-vault';
import { App, LeafWorkspace, MarkdownView, WorkspaceLeaf } from '../support/obsidian-stub';
import { loadVaultFromDisk } from '../support/obsidian-stub-disk';

let root: string;

beforeEach(() => {
    root = mkdtempSync(nodePath.join(tmpdir(), 'vault-agent-links-'));
    mkdirSync(nodePath.join(root, 'Secrets'));
    mkdirSync(nodePath.join(root, 'Notes'));
    writeFileSync(nodePath.join(root, 'Secrets', 'Diary.md'), 'private\n');
    writeFileSync(nodePath.join(root, 'Notes', 'Plan.md'), 'public\n');
    symlinkSync('Secrets/Diary.md', nodePath.join(root, 'Shortcut.md'));
    symlinkSync('Notes/Plan.md', nodePath.join(root, 'Pointer.md'));
    symlinkSync('Secrets', nodePath.join(root, 'Linked'));
});

afterEach(() => {
    rmSync(root, { recursive: true, force: true });
});

/** Node's calls, counted. */
function countedCalls(): { calls: () => DiskCalls; loads: number[]; realpaths: string[] } {
    const loads: number[] = [];
    const realpaths: string[] = [];
    return {
        loads,
        realpaths,
        calls: () => {
            loads.push(1);
            const node = nodeDiskCalls();
            return {
                ...node,
                realpath: (abs) => {
                    realpaths.push(abs);
                    return node.realpath(abs);
                },
            };
        },
    };
}

function appOn(basePath: string | null): App {
    const app = new App();
    if (basePath !== null) {
        Object.assign(app.vault, { adapter: { ...app.vault.adapter, getBasePath: () => basePath } });
        loadVaultFromDisk(app.vault, app.metadataCache, basePath);
    }
    return app;
}

describe('ObsidianVault.realPathOf', () => {
    it('on mobile every path leads to itself and Node is never loaded', () => {
        const counted = countedCalls();
        const vault = new ObsidianVault({ app: appOn(null) as unknown as ObsidianApp, diskCalls: counted.calls });
        expect(vault.realPathOf('Shortcut.md')).toBe('Shortcut.md');
        // A desktop-like adapter on a device that is not desktop changes nothing.
        const notDesktop = new ObsidianVault({
            app: appOn(root) as unknown as ObsidianApp,
            isDesktop: false,
            diskCalls: counted.calls,
        });
        expect(notDesktop.realPathOf('Shortcut.md')).toBe('Shortcut.md');
        expect(counted.loads).toEqual([]);
    });

    it('on desktop resolves links on disk, loading Node only at the first question', () => {
        const counted = countedCalls();
        const vault = new ObsidianVault({
            app: appOn(root) as unknown as ObsidianApp,
            isDesktop: true,
            diskCalls: counted.calls,
        });
        expect(counted.loads).toEqual([]);
        expect(vault.realPathOf('Notes/Plan.md')).toBe('Notes/Plan.md');
        expect(vault.realPathOf('Shortcut.md')).toBe('Secrets/Diary.md');
        expect(vault.realPathOf('Linked/Diary.md')).toBe('Secrets/Diary.md');
        // Not there yet: where its deepest existing folder really is, plus the rest.
        expect(vault.realPathOf('Linked/New/Note.md')).toBe('Secrets/New/Note.md');
        expect(vault.realPathOf('../escape.md')).toBeNull();
        expect(counted.loads).toEqual([1]);
    });

    it('answers from its cache until the link is re-pointed on disk or a vault event says the path changed', async () => {
        const counted = countedCalls();
        const app = appOn(root);
        const vault = new ObsidianVault({
            app: app as unknown as ObsidianApp,
            isDesktop: true,
            diskCalls: counted.calls,
        });
        const refs: EventRef[] = [];
        vault.watch((ref) => refs.push(ref));
        expect(vault.realPathOf('Pointer.md')).toBe('Notes/Plan.md');
        const resolved = counted.realpaths.length;
        expect(vault.realPathOf('Pointer.md')).toBe('Notes/Plan.md');
        expect(counted.realpaths.length).toBe(resolved);

        // Re-pointed behind Obsidian's back: no event, the lstat sees a new entry.
        unlinkSync(nodePath.join(root, 'Pointer.md'));
        symlinkSync('Secrets/Diary.md', nodePath.join(root, 'Pointer.md'));
        expect(vault.realPathOf('Pointer.md')).toBe('Secrets/Diary.md');

        // A vault event drops the answer too.
        const again = counted.realpaths.length;
        const file = app.vault.getFileByPath('Pointer.md');
        if (file === null) throw new Error('Pointer.md is listed');
        app.vault.trigger('modify', file);
        expect(vault.realPathOf('Pointer.md')).toBe('Secrets/Diary.md');
        expect(counted.realpaths.length).toBeGreaterThan(again);

        // So does revalidate, which the chat calls before each request.
        const before = counted.realpaths.length;
        await vault.revalidate(['Pointer.md']);
        vault.realPathOf('Pointer.md');
        expect(counted.realpaths.length).toBeGreaterThan(before);
    });

    it('maps paths against the real vault folder when the vault folder itself is reached through a link', () => {
        const outer = mkdtempSync(nodePath.join(tmpdir(), 'vault-agent-links-outer-'));
        try {
            const viaLink = nodePath.join(outer, 'Vault');
            symlinkSync(root, viaLink);
            const vault = new ObsidianVault({ app: appOn(viaLink) as unknown as ObsidianApp, isDesktop: true });
            expect(vault.realPathOf('Notes/Plan.md')).toBe('Notes/Plan.md');
            expect(vault.realPathOf('Shortcut.md')).toBe('Secrets/Diary.md');
            expect(() => vault.refuseLinkedWrite('Notes/Plan.md')).not.toThrow();
            expect(() => vault.refuseLinkedWrite('Notes/New.md')).not.toThrow();
            expect(() => vault.refuseLinkedWrite('Linked/New.md')).toThrow(/symbolic link/);
        } finally {
            rmSync(outer, { recursive: true, force: true });
        }
    });
});

describe('ObsidianVault.otherNamesOf', () => {
    it('finds the other names of a hard-linked note on desktop, found again after a file is deleted', () => {
        // Another name of the diary outside the excluded folder: Obsidian lists it as a note of its own.
        linkSync(nodePath.join(root, 'Secrets', 'Diary.md'), nodePath.join(root, 'Copy.md'));
        const app = appOn(root);
        const vault = new ObsidianVault({ app: app as unknown as ObsidianApp, isDesktop: true });
        vault.watch(() => undefined);
        // (Obsidian also lists the diary through the linked folder, `Linked/`: that path is the same file too.)
        expect(vault.otherNamesOf('Copy.md')).toContain('Secrets/Diary.md');
        expect(vault.otherNamesOf('Notes/Plan.md')).toEqual([]);

        // Its name in the excluded folder deleted (Obsidian reports it): one name left, and that one is visible.
        const diary = app.vault.getFileByPath('Secrets/Diary.md');
        if (diary === null) throw new Error('the diary is listed');
        unlinkSync(nodePath.join(root, 'Secrets', 'Diary.md'));
        app.vault.trigger('delete', diary);
        expect(vault.otherNamesOf('Copy.md')).toEqual([]);
    });

    it('on mobile finds none, and Node is never loaded', () => {
        const counted = countedCalls();
        const vault = new ObsidianVault({ app: appOn(null) as unknown as ObsidianApp, diskCalls: counted.calls });
        expect(vault.otherNamesOf('Notes/Plan.md')).toEqual([]);
        expect(counted.loads).toEqual([]);
    });
});

describe('the open-note editor on desktop', () => {
    it('does not change a note open through a link: its save would go through the link', async () => {
        const app = appOn(root);
        const vault = new ObsidianVault({ app: app as unknown as ObsidianApp, isDesktop: true });
        const workspace = new LeafWorkspace();
        app.workspace = workspace;
        const writer = new EditorWriter({
            app: app as unknown as ObsidianApp,
            refuse: (path) => vault.refuseLinkedWrite(path),
        });
        const open = (path: string): MarkdownView => {
            const leaf = new WorkspaceLeaf();
            const view = new MarkdownView(leaf);
            view.file = app.vault.getFileByPath(path);
            view.editor.setValue('private\n');
            leaf.view = view;
            workspace.setActiveLeaf(leaf);
            return view;
        };
        const linked = open('Linked/Diary.md');
        await expect(writer.apply('Linked/Diary.md', 'private\n', 'changed\n')).rejects.toThrow(/symbolic link/);
        expect(linked.editor.getValue()).toBe('private\n');
        const plain = open('Notes/Plan.md');
        plain.editor.setValue('public\n');
        expect(await writer.apply('Notes/Plan.md', 'public\n', 'changed\n')).toBe(true);
    });
});
