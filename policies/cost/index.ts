/**
 * The platform's cost model: per resource, what it costs a month when idle (`monthlyIdle`: nothing
 * runs, compute at its minimum) and at its maximum (`monthlyMax`: every compute environment at its
 * max vCPUs all month). Prices come from prices.json (source and date inside); one estimator per
 * priced resource type (estimators.ts); instance shapes from the platform's instance catalogue.
 */
import { estimateResource } from "./estimators";
import type { CostEstimate, CostItem, CostedResource } from "./types";

export * from "./types";
export { PRICED_RESOURCE_TYPES } from "./estimators";
export {
    DEFAULT_REGION,
    pricedInstanceFamilies,
    pricedInstanceTypes,
    pricedSageMakerInstanceTypes,
    UnknownInstanceTypeError,
} from "./prices";

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Estimates every priced resource; unpriced types cost nothing of their own (S3 usage, IAM...).
 * A resource the model should price but cannot (unknown instance type or region) throws, naming it.
 */
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
