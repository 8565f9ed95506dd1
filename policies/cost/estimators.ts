/**
 * One estimator per priced resource type. An estimator returns undefined for what it does not price.
 */
import prices from "./prices.json";
import type { CostItem, CostedResource } from "./types";

type RegionPrices = (typeof prices.regions)["us-east-1"];

export function regionPrices(region: string): RegionPrices {
    const p = (prices.regions as Record<string, RegionPrices>)[region];
    if (!p) throw new Error(`The cost model has no prices for region '${region}' (priced: ${Object.keys(prices.regions).join(", ")}).`);
    return p;
}

type Estimator = (r: CostedResource, p: RegionPrices, all: readonly CostedResource[]) => Omit<CostItem, "urn" | "type" | "name">;

const ESTIMATORS: Record<string, Estimator> = {
    "aws:kms/key:Key": (_r, p) => ({ monthlyIdle: p.kms.keyMonthly, monthlyMax: p.kms.keyMonthly, basis: `customer-managed KMS key at $${p.kms.keyMonthly}/month` }),
};

export function estimateResource(r: CostedResource, region: string, all: readonly CostedResource[]): CostItem | undefined {
    const estimator = ESTIMATORS[r.type];
    if (!estimator) return undefined;
    return { urn: r.urn, type: r.type, name: r.name, ...estimator(r, regionPrices(region), all) };
}
