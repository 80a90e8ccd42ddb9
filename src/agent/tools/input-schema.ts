/**
 * Checks a model's tool input against the tool's own JSON schema, so the schema the model is shown and the checks the
 * tool runs can never drift apart. Only the subset the vault tools use is understood: objects with `properties`,
 * `required` and `additionalProperties: false`; strings (`minLength`, `maxLength`); integers and numbers (`minimum`,
 * `maximum`); booleans; arrays (`items`, `minItems`, `maxItems`).
 */

/** The part of a JSON schema this checker reads (a type alias, so a schema is also a plain JSON record). */
export type SchemaNode = {
    /** The JSON type. */
    type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
    /** Shown to the model; ignored by the checker. */
    description?: string;
    /** Object members. */
    properties?: Record<string, SchemaNode>;
    /** Object members that must be present. */
    required?: string[];
    /** `false` rejects members not in `properties`. */
    additionalProperties?: boolean;
    /** Smallest string length. */
    minLength?: number;
    /** Largest string length. */
    maxLength?: number;
    /** Smallest number. */
    minimum?: number;
    /** Largest number. */
    maximum?: number;
    /** Schema of every array element. */
    items?: SchemaNode;
    /** Fewest array elements. */
    minItems?: number;
    /** Most array elements. */
    maxItems?: number;
};

/** The input when it fits the schema, or a sentence saying what is wrong, fit to show the model. */
export type InputCheck = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * Checks `input` against `schema`; the first problem found is reported. The value returned has explicit `null`s of
 * optional top-level fields removed, so implementations only ever see a field as present or absent.
 */
export function checkInput(input: unknown, schema: SchemaNode): InputCheck {
    const problem = problemIn(input, schema, 'input');
    if (problem !== null) return { ok: false, problem };
    if (schema.type !== 'object' || typeof input !== 'object' || input === null) return { ok: true, value: input };
    const cleaned = Object.fromEntries(Object.entries(input).filter(([, member]) => member !== null));
    return { ok: true, value: cleaned };
}

function problemIn(value: unknown, schema: SchemaNode, where: string): string | null {
    switch (schema.type) {
        case 'object':
            return objectProblem(value, schema, where);
        case 'array':
            return arrayProblem(value, schema, where);
        case 'string':
            if (typeof value !== 'string') return `${where} must be a string, not ${describe(value)}`;
            if (schema.minLength !== undefined && value.length < schema.minLength) {
                return schema.minLength === 1
                    ? `${where} must not be empty`
                    : `${where} must be at least ${schema.minLength} characters long`;
            }
            if (schema.maxLength !== undefined && value.length > schema.maxLength) {
                return `${where} is ${value.length} characters long; the most allowed is ${schema.maxLength}`;
            }
            return null;
        case 'integer':
        case 'number':
            if (typeof value !== 'number' || !Number.isFinite(value)) {
                return `${where} must be a number, not ${describe(value)}`;
            }
            if (schema.type === 'integer' && !Number.isInteger(value)) return `${where} must be a whole number`;
            if (schema.minimum !== undefined && value < schema.minimum) return `${where} must be ≥ ${schema.minimum}`;
            if (schema.maximum !== undefined && value > schema.maximum) return `${where} must be ≤ ${schema.maximum}`;
            return null;
        case 'boolean':
            return typeof value === 'boolean' ? null : `${where} must be true or false, not ${describe(value)}`;
        default:
            return null;
    }
}

function objectProblem(value: unknown, schema: SchemaNode, where: string): string | null {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return `${where} must be an object, not ${describe(value)}`;
    }
    const record = value as Record<string, unknown>;
    const properties = schema.properties ?? {};
    for (const name of schema.required ?? []) {
        if (record[name] === undefined) return `${memberPath(where, name)} is required`;
    }
    for (const [name, member] of Object.entries(record)) {
        const memberSchema = Object.hasOwn(properties, name) ? properties[name] : undefined;
        if (memberSchema === undefined) {
            if (schema.additionalProperties === false) {
                const known = Object.keys(properties).join(', ');
                return `${memberPath(where, name)} is not a known field (known: ${known})`;
            }
            continue;
        }
        // Some clients send explicit nulls for omitted optional fields; treat them as omitted.
        if (member === undefined || (member === null && !(schema.required ?? []).includes(name))) continue;
        const problem = problemIn(member, memberSchema, memberPath(where, name));
        if (problem !== null) return problem;
    }
    return null;
}

function arrayProblem(value: unknown, schema: SchemaNode, where: string): string | null {
    if (!Array.isArray(value)) return `${where} must be an array, not ${describe(value)}`;
    if (schema.minItems !== undefined && value.length < schema.minItems) {
        return `${where} needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`;
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return `${where} has ${value.length} items; the most allowed is ${schema.maxItems}`;
    }
    if (schema.items === undefined) return null;
    for (let i = 0; i < value.length; i++) {
        const problem = problemIn(value[i], schema.items, `${where}[${i}]`);
        if (problem !== null) return problem;
    }
    return null;
}

function memberPath(where: string, name: string): string {
    return where === 'input' ? name : `${where}.${name}`;
}

function describe(value: unknown): string {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'an array';
    if (typeof value === 'object') return 'an object';
    if (typeof value === 'string') return 'a string';
    if (typeof value === 'number') return `the number ${value}`;
    if (typeof value === 'boolean') return `the boolean ${value}`;
    return typeof value;
}
