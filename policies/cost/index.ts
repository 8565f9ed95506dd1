/**
 * The platform's cost model: per resource, what it costs a month when idle (`monthlyIdle`: nothing
 * runs, compute at its minimum) and at its maximum (`monthlyMax`: every compute environment at its
 * max vCPUs all month). Prices come from prices.json (source and date inside); one estimator per
 * priced resource type (estimators.ts); instance shapes from the platform's instance catalogue.
 */
import { estimateResource } from "./estimators";
import type { CostEstimate, CostItem, CostedResource } from "./types";
import { guarded, UnknownInputError } from "./unknown";

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
 * In a preview, one whose estimate needs an input that is still unknown is listed at $0 with
 * `unknownInput` set, so the rest of the stack is still estimated.
 */
export function estimateStackCost(resources: readonly CostedResource[], region: string): CostEstimate {
    const items: CostItem[] = [];
    const views = resources.map(guarded);
    for (const r of views) {
        let item: CostItem | undefined;
        try {
            item = estimateResource(r, region, views);
        } catch (e) {
            if (!(e instanceof UnknownInputError)) throw e;
            item = { urn: r.urn, type: r.type, name: r.name, monthlyIdle: 0, monthlyMax: 0, basis: `not priced: ${e.message}`, unknownInput: e.input };
        }
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
