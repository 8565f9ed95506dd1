/** A Markdown report fit for a pull-request comment. */
import { countsByComponent, resourceLabel, usd, violationsByPolicy } from "./format";
import { mandatoryViolations, type PlanResult } from "./plan";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownReport(plan: PlanResult): string {
    const mandatory = mandatoryViolations(plan).length;
    const advisory = plan.violations.length - mandatory;
    const custom = plan.resources.filter((r) => r.custom);
    const out: string[] = [];
    out.push(`## Offline plan: \`${plan.project}/${plan.stack}\``);
    out.push("");
    out.push(
        mandatory > 0
            ? `:x: **${mandatory} mandatory** and ${advisory} advisory policy violation(s)`
            : `:white_check_mark: No mandatory policy violation (${advisory} advisory)`,
    );
    out.push("");
    out.push(`**${custom.length} resources**, estimated **${usd(plan.cost.monthlyIdle)}/month idle**, **${usd(plan.cost.monthlyMax)}/month at maximum** (${plan.cost.region}).`);
    out.push("");
    if (plan.violations.length > 0) {
        out.push("### Policy violations");
        out.push("");
        out.push("| Level | Policy | Resource | What must change |");
        out.push("|---|---|---|---|");
        for (const [policy, violations] of violationsByPolicy(plan)) {
            for (const v of violations) out.push(`| ${v.level} | \`${policy}\` | ${cell(resourceLabel(plan, v.urn))} | ${cell(v.message)} |`);
        }
        out.push("");
    }
    out.push("<details><summary>Resources by component</summary>");
    out.push("");
    out.push("| Component | Type | Count |");
    out.push("|---|---|---:|");
    for (const [component, types] of countsByComponent(plan)) {
        for (const [type, n] of [...types].sort()) out.push(`| ${cell(component)} | \`${type}\` | ${n} |`);
    }
    out.push("");
    out.push("</details>");
    out.push("");
    out.push("<details><summary>Estimated monthly cost</summary>");
    out.push("");
    out.push("| Resource | Idle | Max | Basis |");
    out.push("|---|---:|---:|---|");
    for (const item of [...plan.cost.items].sort((a, b) => b.monthlyMax - a.monthlyMax)) {
        out.push(`| \`${item.type}\` ${cell(item.name)} | ${usd(item.monthlyIdle)} | ${usd(item.monthlyMax)} | ${cell(item.basis)} |`);
    }
    out.push(`| **Total** | **${usd(plan.cost.monthlyIdle)}** | **${usd(plan.cost.monthlyMax)}** | |`);
    out.push("");
    out.push("</details>");
    out.push("");
    out.push("**Not visible offline:**");
    for (const note of plan.blindSpots) out.push(`- ${note}`);
    return out.join("\n");
}
