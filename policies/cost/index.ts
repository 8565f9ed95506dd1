/**
 * The platform's cost model: per resource, what it costs a month when idle and at its maximum.
 * Prices come from prices.json (source and date inside); one estimator per priced resource type.
 */
import type { CostEstimate, CostItem, CostedResource } from "./types";
import { estimateResource } from "./estimators";

export * from "./types";

const round = (n: number) => Math.round(n * 100) / 100;

/** Estimates every priced resource; unpriced types cost nothing of their own (S3 usage, IAM...). */
export function estimateStackCost(resources: readonly CostedResource[], region: string): CostEstimate {
    const items: CostItem[] = [];
    for (const r of resources) {
        const item = estimateResource(r, region, resources);
        if (item) items.push({ ...item, monthlyIdle: round(item.monthlyIdle), monthlyMax: round(item.monthlyMax) });
    }
    return {
        currency: "USD",
        region,
        monthlyIdle: round(items.reduce((s, i) => s + i.monthlyIdle, 0)),
        monthlyMax: round(items.reduce((s, i) => s + i.monthlyMax, 0)),
        items,
    };
}
