/** The plan JSON of DESIGN contract 2 (more fields than the contract names are allowed). */
import type { PlanResult } from "./plan";

export function jsonReport(plan: PlanResult): Record<string, unknown> {
    return {
        project: plan.project,
        stack: plan.stack,
        resources: plan.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            custom: r.custom,
            provider: r.provider,
            inputs: r.inputs,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            component: r.component,
        })),
        outputs: plan.outputs,
        violations: plan.violations.map((v) => ({ policy: v.policy, level: v.level, urn: v.urn ?? null, message: v.message })),
        cost: {
            currency: plan.cost.currency,
            region: plan.cost.region,
            monthlyIdle: plan.cost.monthlyIdle,
            monthlyMax: plan.cost.monthlyMax,
            items: plan.cost.items.map((i) => ({ urn: i.urn, type: i.type, name: i.name, monthlyIdle: i.monthlyIdle, monthlyMax: i.monthlyMax, basis: i.basis })),
        },
        policies: plan.policyLevels,
        stackReferences: plan.stackReferences,
        notVisibleOffline: plan.blindSpots,
    };
}
