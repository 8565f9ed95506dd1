/**
 * Typed reads of prices.json. Instance shapes (vCPUs, GPUs) come from the platform's instance
 * catalogue (policies/lib/instance-types.ts); this file adds what they cost per region. A type or
 * region that is not priced is an error naming it, so nothing is ever silently free.
 */
import { instanceFamily, instanceTypeSpec, KNOWN_INSTANCE_TYPES, type InstanceTypeSpec } from "../lib/instance-types";
import prices from "./prices.json";

export const HOURS_PER_MONTH = prices.hoursPerMonth;
export const ASSUMPTIONS = prices.assumptions;
export const DEFAULT_REGION = "us-east-1";

export type RegionPrices = (typeof prices.regions)["us-east-1"];

/** A priced EC2 instance type: its catalogue shape and on-demand price. */
export interface PricedInstanceType extends InstanceTypeSpec {
    readonly type: string;
    readonly family: string;
    /** USD an hour on demand. */
    readonly hourly: number;
    /** Typical fraction saved on spot, 0..1. */
    readonly spotDiscount: number;
}

export class UnknownInstanceTypeError extends Error {
    constructor(
        readonly instanceType: string,
        context: string,
    ) {
        super(`${context}: instance type '${instanceType}' is not in the platform's instance catalogue and price table (policies/data/instance-types.json, policies/cost/prices.json).`);
        this.name = "UnknownInstanceTypeError";
    }
}

export function regionPrices(region: string): RegionPrices {
    const p = (prices.regions as Record<string, RegionPrices>)[region];
    if (!p) throw new Error(`The cost model has no prices for region '${region}' (priced: ${Object.keys(prices.regions).join(", ")}).`);
    return p;
}

const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** Every EC2 instance type that is both catalogued and priced in the region: what config may name. */
export function pricedInstanceTypes(region: string = DEFAULT_REGION): string[] {
    const hourly = regionPrices(region).ec2.instanceHourly;
    return KNOWN_INSTANCE_TYPES.filter((t) => own(hourly, t));
}

/** The families of the priced types, e.g. `m7i`, `g5`: what Batch also accepts in `instanceTypes`. */
export function pricedInstanceFamilies(region: string = DEFAULT_REGION): string[] {
    return [...new Set(pricedInstanceTypes(region).map(instanceFamily))];
}

/** A priced instance type; throws naming the type (and `context`, the resource) when it is not priced. */
export function instanceType(type: string, region: string, context: string): PricedInstanceType {
    const p = regionPrices(region).ec2;
    const spec = instanceTypeSpec(type);
    const family = instanceFamily(type);
    const hourly = (p.instanceHourly as Record<string, number>)[type];
    const spotDiscount = (p.spotDiscount as Record<string, number>)[family];
    if (!spec || !own(p.instanceHourly, type) || !own(p.spotDiscount, family)) throw new UnknownInstanceTypeError(type, context);
    return { ...spec, type, family, hourly, spotDiscount };
}

/**
 * The instance types an `instanceTypes` list stands for. Batch also accepts a bare family (`m7i`:
 * every size of it), which expands to the family's priced sizes; anything else unknown throws.
 */
export function expandInstanceTypes(entries: readonly string[], region: string, context: string): PricedInstanceType[] {
    const priced = pricedInstanceTypes(region);
    return entries.flatMap((entry) => {
        if (entry.includes(".")) return [instanceType(entry, region, context)];
        const sizes = priced.filter((t) => instanceFamily(t) === entry);
        if (sizes.length === 0) throw new UnknownInstanceTypeError(entry, context);
        return sizes.map((t) => instanceType(t, region, context));
    });
}

/** USD an hour for a SageMaker ML instance (`ml.t3.medium`); throws naming the type when not priced. */
export function sagemakerHourly(type: string, region: string, context: string): number {
    const table = regionPrices(region).sagemaker.instanceHourly as Record<string, number>;
    if (!own(table, type)) throw new UnknownInstanceTypeError(type, context);
    return table[type];
}

/** Every priced SageMaker ML instance type. */
export function pricedSageMakerInstanceTypes(region: string = DEFAULT_REGION): string[] {
    return Object.keys(regionPrices(region).sagemaker.instanceHourly);
}

/** An hourly rate as a month of hours. */
export function monthly(hourly: number): number {
    return hourly * HOURS_PER_MONTH;
}

/** A price for a basis line: `$0.045`, `$0.0000167`. */
export function usd(n: number): string {
    return `$${Number(n.toPrecision(4))}`;
}
