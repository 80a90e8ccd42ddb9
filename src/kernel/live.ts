/**
 * A service handed out once whose backing instance is rebuilt when settings change (the exclusion gate, the skill
 * catalog): `live(current)` answers every property with whatever `current()` returns at that moment, so a gate
 * rebuilt after a settings change applies from the very next call in every part that holds it.
 */
export function live<T extends object>(current: () => T): T {
    return new Proxy(current(), {
        get(_target, property) {
            const target = current();
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
    });
}
