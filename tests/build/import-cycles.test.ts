/**
 * No import cycle inside `src/agent/tools`: the folder's import graph (every `import` and `export … from` line, type-only
 * ones included, since a cycle of types still ties the files together) must be acyclic. Parses import lines only;
 * dynamic `import()` is not used there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Relative imports of each `.ts` file in `folder` that stay inside it, as folder-relative file names. */
export function importGraph(folder: string): Map<string, string[]> {
    const files = readdirSync(folder).filter((name) => name.endsWith('.ts'));
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const text = readFileSync(join(folder, file), 'utf8');
        const targets: string[] = [];
        // `import … from '…'` and `export … from '…'`, across lines, plus bare `import '…'`.
        for (const match of text.matchAll(
            /^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gmu,
        )) {
            const spec = match[1] ?? match[2] ?? '';
            if (!spec.startsWith('.')) continue;
            const target = resolve(folder, dirname(file), spec.endsWith('.ts') ? spec : `${spec}.ts`);
            if (dirname(target) !== resolve(folder)) continue;
            targets.push(relative(folder, target));
        }
        graph.set(file, targets);
    }
    return graph;
}

/** One cycle of `graph` (its files in order, the first repeated at the end), or `null` when it has none. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string): string[] | null => {
        if (state.get(node) === 'done') return null;
        if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
        state.set(node, 'open');
        stack.push(node);
        for (const next of graph.get(node) ?? []) {
            const cycle = visit(next);
            if (cycle !== null) return cycle;
        }
        stack.pop();
        state.set(node, 'done');
        return null;
    };
    for (const node of graph.keys()) {
        const cycle = visit(node);
        if (cycle !== null) return cycle;
    }
    return null;
}

describe('the import graph of src/agent/tools', () => {
    it('has no cycle (the tool list lives in the registry, not in the types every tool imports)', () => {
        const graph = importGraph(join(ROOT, 'src', 'agent', 'tools'));
        expect(graph.size).toBeGreaterThan(10);
        expect(findCycle(graph)).toBeNull();
    });

    it('the check sees a cycle when there is one, type-only and multi-line imports included', () => {
        const graph = new Map([
            ['a.ts', ['b.ts']],
            ['b.ts', ['c.ts']],
            ['c.ts', ['a.ts']],
            ['d.ts', []],
        ]);
        expect(findCycle(graph)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
        expect(
            findCycle(
                new Map([
                    ['a.ts', ['b.ts']],
                    ['b.ts', []],
                ]),
            ),
        ).toBeNull();
    });
});
