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
import { evaluatePolicies, type NotApplicable, type SkippedInPreview, type Violation } from "../policy/evaluate";
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
    /** Every policy of the pack, with the level it ran at here. */
    readonly policies: PlanPolicy[];
    /** Policies that a first `pulumi preview` (nothing created yet) could not run, per resource or for the stack. */
    readonly skippedInFirstPreview: SkippedInPreview[];
    readonly cost: CostEstimate;
    /** What the offline plan cannot see, said plainly in every report. */
    readonly blindSpots: string[];
    readonly stackReferences: string[];
}

export interface PlanPolicy {
    readonly name: string;
    readonly description: string;
    readonly level: string;
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

/** One line on the policies a first preview skips: which, for how many resources, on which unknown inputs. */
function firstPreviewNote(skipped: readonly SkippedInPreview[]): string | undefined {
    const relevant = skipped.filter((s) => s.level !== "disabled");
    if (relevant.length === 0) return undefined;
    const byPolicy = new Map<string, SkippedInPreview[]>();
    for (const s of relevant) byPolicy.set(s.policy, [...(byPolicy.get(s.policy) ?? []), s]);
    const parts = [...byPolicy].map(([policy, list]) => {
        const inputs = [...new Set(list.map((s) => /value at (\S+)/.exec(s.reason)?.[1] ?? s.reason))].join(", ");
        const scope = list.some((s) => s.urn === undefined) ? "the whole stack" : `${list.length} resource(s)`;
        return `${policy} [${list[0].level}] (${scope}: ${inputs})`;
    });
    return (
        "In a first `pulumi preview` (nothing created yet) values built from other resources are unknown. Taking every input that holds one as wholly unknown " +
        `(an upper bound), these policies cannot judge some resources, which the engine reports as advisory "can't run during preview"; \`pulumi up\` checks them: ${parts.join("; ")}.`
    );
}

function blindSpotsOf(resources: readonly RecordedResource[], skippedInFirstPreview: readonly SkippedInPreview[]): string[] {
    const notes = resources
        .filter((r) => REMOTE_COMPONENT_PREFIXES.some((p) => r.type.startsWith(p)))
        .map((r) => `${r.type} '${r.name}' is a multi-language component: its child resources are created by its provider plugin and are not checked or priced here.`);
    notes.push("Values computed by AWS (ids, ARNs, endpoints) are realistic mock values; real ones appear at `pulumi preview`.");
    notes.push("Usage-based charges (S3 storage and requests, data transfer, CloudWatch ingestion) are not in the estimate.");
    const insights = resources.filter(
        (r) => r.type === "aws:ecs/cluster:Cluster" && ((r.inputs.settings as { name?: string; value?: string }[] | undefined) ?? []).some((x) => x.name === "containerInsights" && x.value !== "disabled"),
    );
    if (insights.length > 0) {
        notes.push(`CloudWatch Container Insights on ${insights.map((r) => `ECS cluster '${r.name}'`).join(", ")} bills its metrics and performance log events by use; it is not in the estimate.`);
    }
    const preview = firstPreviewNote(skippedInFirstPreview);
    if (preview) notes.push(preview);
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
    const firstPreview = await evaluatePolicies(allPolicies, run.resources, files.policyConfig, "advisory", { firstPreview: true });
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
        policies: allPolicies.map((p) => ({ name: p.name, description: p.description, level: evaluation.levels[p.name] })),
        skippedInFirstPreview: firstPreview.skippedInPreview,
        cost,
        blindSpots: blindSpotsOf(run.resources, firstPreview.skippedInPreview),
        stackReferences: run.stackReferencesRead,
    };
}

export function mandatoryViolations(plan: PlanResult): Violation[] {
    return plan.violations.filter((v) => v.level === "mandatory");
}
