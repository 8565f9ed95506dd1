/** The human summary printed to the terminal. */
import { countsByComponent, resourceLabel, usd, violationsByPolicy } from "./format";
import { mandatoryViolations, type PlanResult } from "./plan";

export function textReport(plan: PlanResult): string {
    const lines: string[] = [];
    const custom = plan.resources.filter((r) => r.custom);
    lines.push(`Offline plan: ${plan.project}/${plan.stack}: ${custom.length} resources`);
    if (plan.stackReferences.length > 0) lines.push(`Stack references (fixtures): ${plan.stackReferences.join(", ")}`);
    lines.push("");
    lines.push("Resources by component");
    for (const [component, types] of countsByComponent(plan)) {
        lines.push(`  ${component}`);
        for (const [type, n] of [...types].sort()) lines.push(`    ${String(n).padStart(3)}  ${type}`);
    }
    lines.push("");
    const mandatory = mandatoryViolations(plan).length;
    const advisory = plan.violations.length - mandatory;
    lines.push(`Policies: ${Object.keys(plan.policyLevels).length} evaluated, ${mandatory} mandatory and ${advisory} advisory violation(s)`);
    for (const [policy, violations] of violationsByPolicy(plan)) {
        lines.push(`  [${violations[0].level}] ${policy}: ${violations[0].description}`);
        for (const v of violations) lines.push(`    - ${resourceLabel(plan, v.urn)}: ${v.message}`);
    }
    lines.push("");
    lines.push(`Estimated cost (${plan.cost.currency}/month, ${plan.cost.region}): idle ${usd(plan.cost.monthlyIdle)}, max ${usd(plan.cost.monthlyMax)}`);
    for (const item of [...plan.cost.items].sort((a, b) => b.monthlyMax - a.monthlyMax)) {
        lines.push(`  ${usd(item.monthlyIdle).padStart(11)} ${usd(item.monthlyMax).padStart(12)}  ${item.type} '${item.name}' (${item.basis})`);
    }
    lines.push("");
    lines.push("Not visible offline:");
    for (const note of plan.blindSpots) lines.push(`  - ${note}`);
    lines.push("");
    lines.push(mandatory > 0 ? `FAIL: ${mandatory} mandatory violation(s)` : "OK: no mandatory violation");
    return lines.join("\n");
}
