/**
 * SARIF 2.1.0 for code scanning: one rule per policy, one result per violation, located at the
 * stack's config file (the file a reviewer changes) with the resource URN as logical location.
 */
import { createHash } from "crypto";
import type { PlanResult } from "./plan";

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

export function sarifReport(plan: PlanResult): Record<string, unknown> {
    const policies = [...plan.policies].sort((a, b) => a.name.localeCompare(b.name));
    const ruleIds = policies.map((p) => p.name);
    const rules = policies.map((p) => ({
        id: p.name,
        name: p.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
        shortDescription: { text: p.description },
        defaultConfiguration: { level: p.level === "mandatory" || p.level === "remediate" ? "error" : "warning", enabled: p.level !== "disabled" },
        properties: { tags: ["pulumi", "crossguard", "infrastructure"] },
    }));
    const stackFile = `Pulumi.${plan.stack}.yaml`;
    const results = plan.violations.map((v) => ({
        ruleId: v.policy,
        ruleIndex: ruleIds.indexOf(v.policy),
        level: v.level === "mandatory" ? "error" : "warning",
        message: { text: v.message },
        locations: [
            {
                physicalLocation: { artifactLocation: { uri: stackFile, uriBaseId: "%SRCROOT%" }, region: { startLine: 1 } },
                logicalLocations: [{ fullyQualifiedName: v.urn ?? `urn:pulumi:${plan.stack}::${plan.project}::pulumi:pulumi:Stack::${plan.project}-${plan.stack}`, kind: "resource" }],
            },
        ],
        partialFingerprints: { "policyResource/v1": createHash("sha256").update(`${v.policy}|${v.urn ?? ""}|${plan.stack}`).digest("hex") },
    }));
    return {
        $schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: "ml-platform-plan", semanticVersion: "1.0.0", informationUri: "https://www.pulumi.com/docs/iac/crossguard/", rules } },
                automationDetails: { id: `ml-platform-plan/${plan.stack}/` },
                results,
            },
        ],
    };
}
