/**
 * Estimating in a preview, where some inputs are still unknown: an estimator reads props through a
 * guard that throws on an unknown input, so a resource whose price depends on one is listed as
 * unknown during the preview instead of priced on a guess (a missing instance type list, a zero
 * count of subnets) or failing the whole stack.
 */
import type { CostedResource } from "./types";

export class UnknownInputError extends Error {
    constructor(readonly input: string) {
        super(`${input} is unknown during preview`);
        this.name = "UnknownInputError";
    }
}

/**
 * `value` (at `path` of the props) throwing UnknownInputError on reading an unknown path. A list
 * with an unknown item throws on any read of its items or length, since its known items no longer
 * sit at their indexes.
 */
function guard(value: object, path: string, unknown: readonly string[]): object {
    return new Proxy(value, {
        get(target, key, receiver) {
            const read = Reflect.get(target, key, receiver);
            if (typeof key !== "string") return read;
            if (Array.isArray(target)) {
                const partial = unknown.find((u) => u.startsWith(path) && /^\[\d+\]$/.test(u.slice(path.length)));
                if (partial && (key === "length" || /^\d+$/.test(key))) throw new UnknownInputError(partial);
            }
            const at = Array.isArray(target) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
            if (unknown.includes(at)) throw new UnknownInputError(at);
            const below = unknown.some((u) => u.startsWith(`${at}.`) || u.startsWith(`${at}[`));
            return below && typeof read === "object" && read !== null ? guard(read, at, unknown) : read;
        },
    });
}

/** The resource as estimators should see it: unchanged when every input is known. */
export function guarded(r: CostedResource): CostedResource {
    const unknown = r.unknownInputs ?? [];
    return unknown.length === 0 ? r : { ...r, props: guard(r.props, "", unknown) as Record<string, any> };
}
