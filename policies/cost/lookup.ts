/**
 * Following references between resources: an ECS service to its task definition, an Aurora
 * instance to its cluster, a service to its autoscaling target.
 */
import type { CostedResource } from "./types";

/** How messages and errors name a resource: its type and name. */
export const label = (r: CostedResource) => `${r.type} '${r.name}'`;

/**
 * The resource of `type` that `r` references through its input `key`: by property dependency
 * (which holds even while the referenced value is unknown, as in a preview), else by `matches`
 * on the input's value.
 */
export function referencedBy(r: CostedResource, key: string, all: readonly CostedResource[], type: string, matches: (candidate: CostedResource, value: unknown) => boolean): CostedResource | undefined {
    const candidates = all.filter((c) => c.type === type);
    const urns = r.propertyDependencies?.[key] ?? [];
    const byDependency = candidates.find((c) => urns.includes(c.urn));
    if (byDependency) return byDependency;
    const value = r.props[key];
    return value === undefined ? undefined : candidates.find((c) => matches(c, value));
}

/** The resources of `type` that reference `target` through their input `key` (dependency or value). */
export function referencing(target: CostedResource, key: string, all: readonly CostedResource[], type: string, matches: (value: unknown) => boolean): CostedResource[] {
    return all.filter((c) => c.type === type && ((c.propertyDependencies?.[key] ?? []).includes(target.urn) || (c.props[key] !== undefined && matches(c.props[key]))));
}

/** `family` of a task definition ARN `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`, or the value itself. */
export function taskDefinitionFamily(value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    const match = /task-definition\/([^:]+)(?::\d+)?$/.exec(value);
    return match ? match[1] : value.split(":")[0];
}
