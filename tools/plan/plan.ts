/**
 * The offline plan: run a stack's real program under mocks with its real config, evaluate every
 * policy with the stack's policy config, estimate cost. No cloud credentials, no Pulumi CLI.
 */
import * as path from "path";
import { allPolicies } from "../../policies/all";
import { estimateStackCost, type CostEstimate } from "../../policies/cost";
import { decodeRawConfig, parsePlatformConfig } from "../../stacks/config";
import { program } from "../../stacks/program";
import { runUnderMocks, STACK_TYPE, type RecordedResource } from "../mocks/runtime";
import { evaluatePolicies, type NotApplicable, type Violation } from "../policy/evaluate";
import { loadStackReferenceFixtures } from "./fixtures";
import { loadStackFiles } from "./stack-files";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly custom: boolean;
    readonly provider: string | null;
    /** Inputs with secret values shown as "[secret]". */
    readonly inputs: Record<string, unknown>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** Name of the nearest platform component that owns it, or null for top-level resources. */
    readonly component: string | null;
}

export interface PlanResult {
    readonly project: string;
    readonly stack: string;
    readonly resources: PlanResource[];
    readonly outputs: unknown;
    readonly violations: Violation[];
    readonly notApplicable: NotApplicable[];
    readonly policyLevels: Record<string, string>;
    readonly cost: CostEstimate;
    /** What the offline plan cannot see, said plainly in every report. */
    readonly blindSpots: string[];
    readonly stackReferences: string[];
}

/** Multi-language components register as one resource under mocks; their children are invisible. */
const REMOTE_COMPONENT_PREFIXES = ["awsx:", "eks:"];

function componentOf(r: RecordedResource, byUrn: Map<string, RecordedResource>): string | null {
    let parent = r.parent ? byUrn.get(r.parent) : undefined;
    while (parent) {
        if (!parent.custom && parent.type !== STACK_TYPE) return parent.name;
        parent = parent.parent ? byUrn.get(parent.parent) : undefined;
    }
    return null;
}

function blindSpotsOf(resources: readonly RecordedResource[]): string[] {
    const notes = resources
        .filter((r) => REMOTE_COMPONENT_PREFIXES.some((p) => r.type.startsWith(p)))
        .map((r) => `${r.type} '${r.name}' is a multi-language component: its child resources are created by its provider plugin and are not checked or priced here.`);
    notes.push("Values computed by AWS (ids, ARNs, endpoints) are realistic mock values; real ones appear at `pulumi preview`.");
    notes.push("Usage-based charges (S3 storage and requests, data transfer, CloudWatch ingestion) are not in the estimate.");
    return notes;
}

export async function runPlan(stack: string, root: string = REPO_ROOT): Promise<PlanResult> {
    const files = loadStackFiles(root, stack);
    // Validate first: a bad value is reported with its key path before anything is registered.
    parsePlatformConfig(decodeRawConfig(files.config), stack);

    const run = await runUnderMocks(
        { project: files.project, stack, config: files.config, secretKeys: files.secretKeys, stackReferences: loadStackReferenceFixtures(root) },
        program,
    );
    const evaluation = await evaluatePolicies(allPolicies, run.resources, files.policyConfig, "advisory");
    const region = files.config["aws:region"] ?? "us-east-1";
    const cost = estimateStackCost(
        run.resources.filter((r) => r.custom).map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, propertyDependencies: r.propertyDependencies })),
        region,
    );
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    return {
        project: files.project,
        stack,
        resources: run.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            custom: r.custom,
            provider: r.provider,
            inputs: r.displayInputs,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            component: componentOf(r, byUrn),
        })),
        outputs: run.displayOutputs,
        violations: evaluation.violations,
        notApplicable: evaluation.notApplicable,
        policyLevels: evaluation.levels,
        cost,
        blindSpots: blindSpotsOf(run.resources),
        stackReferences: run.stackReferencesRead,
    };
}

export function mandatoryViolations(plan: PlanResult): Violation[] {
    return plan.violations.filter((v) => v.level === "mandatory");
}
