/**
 * The real stacks, planned once per test process: every test file that looks at a stack shares the
 * same offline plan (Pulumi's runtime is process-global, so runs are sequential anyway).
 */
import { runPlan, type PlanResult } from "../../tools/plan/plan";

const plans = new Map<string, Promise<PlanResult>>();

export const STACKS = ["dev", "staging", "prod"] as const;

export function planOf(stack: string): Promise<PlanResult> {
    let plan = plans.get(stack);
    if (!plan) {
        plan = runPlan(stack);
        plans.set(stack, plan);
    }
    return plan;
}
