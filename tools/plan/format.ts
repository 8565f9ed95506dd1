/** Small formatting pieces shared by the text and Markdown reports. */
import type { PlanResult, PlanResource } from "./plan";

export function usd(n: number): string {
    return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Resource counts by owning component, then by type. */
export function countsByComponent(plan: PlanResult): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    for (const r of plan.resources.filter((x) => x.custom)) {
        const component = r.component ?? "(stack)";
        const types = out.get(component) ?? new Map<string, number>();
        types.set(r.type, (types.get(r.type) ?? 0) + 1);
        out.set(component, types);
    }
    return out;
}

/** Violations grouped by policy, mandatory policies first. */
export function violationsByPolicy(plan: PlanResult): Map<string, PlanResult["violations"]> {
    const out = new Map<string, PlanResult["violations"]>();
    const sorted = [...plan.violations].sort((a, b) => (a.level === b.level ? a.policy.localeCompare(b.policy) : a.level === "mandatory" ? -1 : 1));
    for (const v of sorted) out.set(v.policy, [...(out.get(v.policy) ?? []), v]);
    return out;
}

export function resourceLabel(plan: PlanResult, urn: string | undefined): string {
    if (!urn) return "(stack)";
    const r: PlanResource | undefined = plan.resources.find((x) => x.urn === urn);
    return r ? `${r.type} '${r.name}'` : urn;
}
