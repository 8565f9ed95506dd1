/**
 * Workload baseline: EC2 hosts only answer IMDSv2 (session tokens stop SSRF from reading instance
 * credentials), ECS tasks get secrets through `secrets` and no public IP.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { parseJsonInput, validateType, validateTypes } from "../lib/resources";
import { policyConfig } from "../lib/schema";
import { findPlainSecrets, secretNameConfigProperties } from "./secret-detection";

export const launchTemplateImdsv2: ResourceValidationPolicy = {
    name: "launch-template-imdsv2",
    description: "Checks whether EC2 launch templates and instances require IMDSv2 (metadataOptions.httpTokens \"required\") or turn the metadata endpoint off.",
    validateResource: validateTypes(["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"], (args, reportViolation) => {
        const metadata = (args.props.metadataOptions as { httpTokens?: string; httpEndpoint?: string } | undefined) ?? {};
        if (metadata.httpTokens === "required" || metadata.httpEndpoint === "disabled") return;
        const kind = args.type === "aws:ec2/instance:Instance" ? "EC2 instance" : "Launch template";
        reportViolation(`${kind} '${args.name}' allows IMDSv1 (httpTokens is ${metadata.httpTokens ?? "not set"}). Set metadataOptions: { httpEndpoint: "enabled", httpTokens: "required" } on it.`);
    }),
};

interface ContainerDefinition {
    readonly name?: string;
    readonly environment?: readonly { name?: string; value?: unknown }[];
}

export const ecsNoPlaintextSecretsConfig = policyConfig(secretNameConfigProperties);

export const ecsNoPlaintextSecrets: ResourceValidationPolicy = {
    name: "ecs-no-plaintext-secrets",
    description: "Checks whether ECS task definitions carry no secret-looking environment variables (by name or value); secrets must come through `secrets` from Secrets Manager or SSM.",
    configSchema: ecsNoPlaintextSecretsConfig.schema,
    validateResource: validateType("aws:ecs/taskDefinition:TaskDefinition", (args, reportViolation) => {
        const config = ecsNoPlaintextSecretsConfig.read(args);
        const containers = parseJsonInput<ContainerDefinition[]>(args.props.containerDefinitions) ?? [];
        for (const container of Array.isArray(containers) ? containers : []) {
            const entries = (container.environment ?? []).map((e) => [String(e.name ?? ""), e.value] as const);
            for (const finding of findPlainSecrets(entries, config)) {
                reportViolation(
                    `ECS task definition '${args.name}', container '${container.name ?? "unnamed"}': environment variable ${finding.name} holds ${finding.why}. ` +
                        "Store the value in Secrets Manager (or an SSM SecureString) and pass it through the container's `secrets` with valueFrom.",
                );
            }
        }
    }),
};

export const ecsNoPublicIp: ResourceValidationPolicy = {
    name: "ecs-no-public-ip",
    description: "Checks whether ECS services assign no public IP to their tasks.",
    validateResource: validateType("aws:ecs/service:Service", (args, reportViolation) => {
        if (args.props.networkConfiguration?.assignPublicIp === true) {
            reportViolation(`ECS service '${args.name}' gives its tasks public IPs. Set networkConfiguration.assignPublicIp: false and run the tasks in private subnets.`);
        }
    }),
};

export const workloadPolicies = [launchTemplateImdsv2, ecsNoPlaintextSecrets, ecsNoPublicIp];
