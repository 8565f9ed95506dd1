/**
 * Cost limits: the stack's estimated monthly cost, idle and at full scale, against the budgets in
 * the environment's policy config. The estimate is the cost model's (policies/cost), the same one
 * the offline plan reports.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_REGION, estimateStackCost, type CostEstimate, type CostItem, type CostedResource } from "./cost";
import { ifKnown, knownProps } from "./lib/resources";
import { policyConfig } from "./lib/schema";

/** The region a resource is managed in: its own `region` input, else its provider's. */
function regionOf(r: PolicyResource): string | undefined {
    const own = ifKnown(() => r.props.region);
    const provider = ifKnown(() => r.provider?.props?.region);
    return typeof own === "string" && own ? own : typeof provider === "string" && provider ? provider : undefined;
}

/**
 * Policy resources as the cost model reads them, each carrying the region it is managed in. The
 * props are copied value by value: in a preview a resource's unknown inputs are left out and named,
 * and the model marks a resource whose estimate needs one instead of failing the whole stack.
 */
function costedResources(resources: readonly PolicyResource[]): { resources: CostedResource[]; region: string } {
    const costed = resources.map((r) => {
        const region = regionOf(r);
        const unknownInputs: string[] = [];
        const props = knownProps(r.props, unknownInputs);
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            props: region ? { ...props, region } : props,
            propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, deps]) => [k, deps.map((d) => d.urn)])),
            unknownInputs,
        };
    });
    const region = resources.map(regionOf).find((x) => x !== undefined) ?? DEFAULT_REGION;
    return { resources: costed, region };
}

const dollars = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The items that drive a figure, largest first, for the message. */
function largest(estimate: CostEstimate, figure: "monthlyIdle" | "monthlyMax", n = 3): string {
    return [...estimate.items]
        .filter((i: CostItem) => i[figure] > 0)
        .sort((a, b) => b[figure] - a[figure])
        .slice(0, n)
        .map((i) => `${i.type} '${i.name}' ${dollars(i[figure])}`)
        .join(", ");
}

/** Resources left out of the estimate because an input it needs is unknown during the preview. */
function unpriced(estimate: CostEstimate): string {
    const items = estimate.items.filter((i) => i.unknownInput !== undefined);
    if (items.length === 0) return "";
    const named = items.slice(0, 5).map((i) => `${i.type} '${i.name}' (${i.unknownInput})`);
    const more = items.length > named.length ? ` and ${items.length - named.length} more` : "";
    return ` Not priced, unknown during preview, so the cost is at least this: ${named.join(", ")}${more}.`;
}

export const monthlyCostLimitConfig = policyConfig({
    maxMonthlyCost: {
        type: "number",
        default: 5000,
        minimum: 0,
        description: "Most USD a month the stack may cost with every compute environment at its max vCPUs all month (the estimate's monthlyMax).",
    },
    maxIdleMonthlyCost: {
        type: "number",
        default: 500,
        minimum: 0,
        description: "Most USD a month the stack may cost while nothing runs (the estimate's monthlyIdle: NAT gateways, load balancers, databases, services, keys...).",
    },
});

export const monthlyCostLimit: StackValidationPolicy = {
    name: "monthly-cost-limit",
    description: "Checks whether the stack's estimated monthly cost, at full scale and when idle, stays within the environment's budgets.",
    configSchema: monthlyCostLimitConfig.schema,
    validateStack: (args, reportViolation) => {
        const { maxMonthlyCost, maxIdleMonthlyCost } = monthlyCostLimitConfig.read(args);
        const { resources, region } = costedResources(args.resources);
        let estimate: CostEstimate;
        try {
            estimate = estimateStackCost(resources, region);
        } catch (e) {
            reportViolation(`The cost model cannot estimate this stack: ${e instanceof Error ? e.message : String(e)} Fix that resource, or add its prices to policies/cost/prices.json.`);
            return;
        }
        if (estimate.monthlyMax > maxMonthlyCost) {
            reportViolation(
                `Estimated cost at full scale is ${dollars(estimate.monthlyMax)} a month, over maxMonthlyCost ${dollars(maxMonthlyCost)} (largest: ${largest(estimate, "monthlyMax")}).${unpriced(estimate)} ` +
                    "Lower the max vCPUs of the largest compute environments, or raise maxMonthlyCost in this environment's policy config if the budget allows.",
            );
        }
        if (estimate.monthlyIdle > maxIdleMonthlyCost) {
            reportViolation(
                `Estimated idle cost is ${dollars(estimate.monthlyIdle)} a month, over maxIdleMonthlyCost ${dollars(maxIdleMonthlyCost)} (largest: ${largest(estimate, "monthlyIdle")}).${unpriced(estimate)} ` +
                    "Scale always-on resources down (minVcpus 0, fewer NAT gateways, a smaller database or fewer service tasks), or raise maxIdleMonthlyCost.",
            );
        }
    },
};

export const costPolicies = [monthlyCostLimit];
