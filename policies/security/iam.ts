/**
 * IAM baseline: no identity policy grants administrator-like wildcards or lets its holder pass any
 * role (the classic privilege escalation). Documents are read wherever IAM takes them: managed and
 * inline policies, a role's `inlinePolicies`, and attachments of AWS's administrator policies.
 */
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { asList, parsePolicyDocument, validateTypes } from "../lib/resources";
import { policyConfig } from "../lib/schema";

const ROLE = "aws:iam/role:Role";

/** Identity-policy resources and the input holding their JSON document. */
const DOCUMENT_INPUT: Record<string, string> = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
};

/** Attachment resources and the input holding the attached policy ARN(s). */
const ATTACHMENT_INPUT: Record<string, string> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
};

type Statement = Record<string, any>;

interface Document {
    /** Where the document sits, for the message: "policy" or "inline policy 'x'". */
    readonly where: string;
    readonly statements: readonly Statement[];
}

/** The identity-policy documents a resource carries. */
function documentsOf(args: ResourceValidationArgs): Document[] {
    if (args.type === ROLE) {
        const inline = (args.props.inlinePolicies as { name?: string; policy?: unknown }[] | undefined) ?? [];
        return inline.map((p) => ({ where: `inline policy '${p.name ?? "unnamed"}'`, statements: parsePolicyDocument(p.policy)?.Statement ?? [] }));
    }
    const input = DOCUMENT_INPUT[args.type];
    return input ? [{ where: "policy", statements: parsePolicyDocument(args.props[input])?.Statement ?? [] }] : [];
}

/** "*", "arn:*" and ARNs whose every field after the partition is a wildcard. */
function isAnyResource(resource: string): boolean {
    if (resource === "*") return true;
    const parts = resource.split(":");
    return parts[0] === "arn" && parts.slice(2).every((p) => p === "*" || p === "") && parts[parts.length - 1] === "*";
}

/**
 * The service whose every resource the ARN covers, or undefined: a resource part that is a lone
 * wildcard (or wildcard, slash, wildcard: every object of every bucket) in any account field (empty,
 * `*`, or one account, which is all of it the holder can reach) and any region field (one region is
 * all of a regional service this stack uses). For example `arn:aws:s3:::*`, `arn:aws:iam::123456789012:*`.
 */
function everyResourceOf(resource: string): string | undefined {
    const parts = resource.split(":");
    if (parts[0] !== "arn" || parts.length < 6) return undefined;
    const account = parts[4];
    const rest = parts.slice(5).join(":");
    return (account === "" || account === "*" || /^\d{12}$/.test(account)) && (rest === "*" || rest === "*/*") ? parts[2].toLowerCase() : undefined;
}

/** Every role in an account: any resource, or `arn:aws:iam::<account>:role/*`. */
function isAnyRole(resource: string): boolean {
    return isAnyResource(resource) || /^arn:[^:]+:iam::[^:]*:(role\/)?\*$/i.test(resource);
}

/** IAM action matching: case-insensitive, `*` and `?` as wildcards. */
function actionMatches(pattern: string, action: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    return re.test(action);
}

function allowsOn(s: Statement, coversResource: (r: string) => boolean): boolean {
    // NotResource grants everything but the listed resources: as broad as "*" for these rules.
    return s.Effect === "Allow" && (s.NotResource !== undefined || asList(s.Resource).some(coversResource));
}

function label(s: Statement, index: number): string {
    return s.Sid ? `statement '${s.Sid}'` : `statement ${index + 1}`;
}

/**
 * Where a statement's resources cover every resource a service-wide action (`service` undefined for
 * "*") could act on: "every resource", "every s3 resource (arn:aws:s3:::*)", or undefined.
 */
function everyResourceFor(s: Statement, service: string | undefined): string | undefined {
    // NotResource grants everything but the listed resources: as broad as "*" for these rules.
    if (s.NotResource !== undefined || asList(s.Resource).some(isAnyResource)) return "every resource";
    const scoped = asList(s.Resource).find((r) => {
        const of = everyResourceOf(r);
        return of !== undefined && (service === undefined || of === service);
    });
    return scoped && `every ${everyResourceOf(scoped)} resource (${scoped})`;
}

/** What a statement grants on every resource (of the service) that no least-privilege policy should, or undefined. */
function wildcardGrant(s: Statement): string | undefined {
    if (s.Effect !== "Allow") return undefined;
    if (s.NotAction !== undefined) {
        const where = everyResourceFor(s, undefined);
        return where && `every action except ${asList(s.NotAction).join(", ")} on ${where}`;
    }
    const grants = asList(s.Action)
        .filter((a) => a === "*" || a === "*:*" || /^[a-z0-9-]+:\*$/i.test(a))
        .flatMap((a) => {
            const service = a.startsWith("*") ? undefined : a.split(":")[0].toLowerCase();
            const where = everyResourceFor(s, service);
            return where ? [`${service ? `every ${service} action` : "every action"} ("${a}") on ${where}`] : [];
        });
    return grants.length > 0 ? grants.join(" and ") : undefined;
}

function grantsPassRoleOnAnyRole(s: Statement): boolean {
    if (!allowsOn(s, isAnyRole)) return false;
    if (s.NotAction !== undefined) return !asList(s.NotAction).some((a) => actionMatches(a, "iam:PassRole"));
    return asList(s.Action).some((a) => actionMatches(a, "iam:PassRole"));
}

/** `arn:aws:iam::aws:policy/job-function/X` → X, for AWS managed policies only. */
function awsManagedPolicyName(arn: string): string | undefined {
    return /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

function attachedPolicyArns(args: ResourceValidationArgs): string[] {
    if (args.type === ROLE) return asList(args.props.managedPolicyArns);
    const input = ATTACHMENT_INPUT[args.type];
    return input ? asList(args.props[input]) : [];
}

export const iamNoWildcardAdminConfig = policyConfig({
    forbiddenManagedPolicies: {
        type: "array",
        items: { type: "string" },
        default: ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"],
        description: "AWS managed policies (by name) that grant administrator-like wildcards and may not be attached.",
    },
});

const DOCUMENT_TYPES = [ROLE, ...Object.keys(DOCUMENT_INPUT)];

export const iamNoWildcardAdmin: ResourceValidationPolicy = {
    name: "iam-no-wildcard-admin",
    description:
        'Checks whether IAM policies grant "*" or "service:*" actions (or every action but some, through NotAction) on every resource or every resource of the service (arn:aws:s3:::*), or attach an AWS administrator policy.',
    configSchema: iamNoWildcardAdminConfig.schema,
    validateResource: validateTypes([...DOCUMENT_TYPES, ...Object.keys(ATTACHMENT_INPUT)], (args, reportViolation) => {
        const { forbiddenManagedPolicies } = iamNoWildcardAdminConfig.read(args);
        for (const doc of documentsOf(args)) {
            doc.statements.forEach((s, i) => {
                const grant = wildcardGrant(s);
                if (grant) {
                    reportViolation(
                        `${args.type} '${args.name}' ${doc.where}, ${label(s, i)}: allows ${grant}. ` +
                            "Name the actions it needs and scope Resource to the ARNs they act on.",
                    );
                }
            });
        }
        for (const arn of attachedPolicyArns(args)) {
            const managed = awsManagedPolicyName(arn);
            if (managed && forbiddenManagedPolicies.includes(managed)) {
                reportViolation(`${args.type} '${args.name}' attaches the AWS managed policy ${managed}. Attach a least-privilege policy instead.`);
            }
        }
    }),
};

export const iamNoPassRoleWildcard: ResourceValidationPolicy = {
    name: "iam-no-passrole-wildcard",
    description: "Checks whether IAM policies allow iam:PassRole (directly or through iam:*, * or NotAction) on every role.",
    validateResource: validateTypes(DOCUMENT_TYPES, (args, reportViolation) => {
        for (const doc of documentsOf(args)) {
            doc.statements.forEach((s, i) => {
                if (grantsPassRoleOnAnyRole(s)) {
                    reportViolation(
                        `${args.type} '${args.name}' ${doc.where}, ${label(s, i)}: allows iam:PassRole on every role, so its holder can hand any role to a service. ` +
                            "Scope iam:PassRole to the ARNs of the roles it must pass (with an iam:PassedToService condition).",
                    );
                }
            });
        }
    }),
};

export const iamPolicies = [iamNoWildcardAdmin, iamNoPassRoleWildcard];
