/**
 * The workspace permission documents. One execution role per team (adding a user adds no IAM), each
 * scoped to this environment's resources; per-user isolation inside a team comes from SageMaker's
 * `${sagemaker:UserProfileName}` context key, which ties app actions to the caller's own private space.
 * The only "*" resources are for actions AWS cannot scope, each said where it appears.
 */
import * as pulumi from "@pulumi/pulumi";
import { batchJobArnPattern, jobDefinitionArnPattern } from "../orchestrator/arns";
import { artifactStoreReadWrite, keyViaService, type StatementInput } from "../shared";
import { teamParameterPath } from "./naming";

/** Where the workspaces live. */
export interface WorkspaceScope {
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    /** `/ml-platform/<env>`. */
    readonly ssmRoot: string;
}

/** The platform resources a team's notebooks and the flows they deploy work with. */
export interface PlatformGrants {
    readonly artifactBucketArn: pulumi.Input<string>;
    readonly artifactKmsKeyArn: pulumi.Input<string>;
    readonly jobQueueArns: pulumi.Input<pulumi.Input<string>[]>;
    /** The role Batch jobs run as; the only role flows may hand to Batch. */
    readonly jobRoleArn: pulumi.Input<string>;
    /** The CloudWatch log group Batch jobs write to (`metaflow logs` reads it). */
    readonly jobLogGroupName?: pulumi.Input<string>;
    readonly stepFunctionsRoleArn: pulumi.Input<string>;
    readonly eventBridgeRoleArn: pulumi.Input<string>;
    readonly stateMachinePrefix: pulumi.Input<string>;
    readonly tableArn: pulumi.Input<string>;
    /** Customer-managed key of the orchestrator table, when it has one. */
    readonly tableKmsKeyArn?: pulumi.Input<string>;
    /** Customer-managed key of the platform's SecureString parameters, when they do not use aws/ssm. */
    readonly parametersKmsKeyArn?: pulumi.Input<string>;
}

function arn(service: string, scope: WorkspaceScope, resource: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:${service}:${scope.region}:${scope.accountId}:${resource}`;
}

/** A parameter path and everything under it (GetParametersByPath authorizes against the path itself). */
function parameterTree(scope: WorkspaceScope, path: string): pulumi.Output<string>[] {
    return [arn("ssm", scope, `parameter${path}`), arn("ssm", scope, `parameter${path}/*`)];
}

/** What any Studio execution role needs: its own apps, the domain's descriptions, app logs, volume keys. */
export function studioStatements(domainId: pulumi.Input<string>, workspaceKeyArn: pulumi.Input<string>, scope: WorkspaceScope): StatementInput[] {
    const ownProfile = pulumi.interpolate`arn:aws:sagemaker:${scope.region}:${scope.accountId}:user-profile/${domainId}/\${sagemaker:UserProfileName}`;
    return [
        {
            Sid: "StudioList",
            Effect: "Allow",
            // sagemaker:ListApps, ListSpaces, ListUserProfiles and ListDomains have no resource-level permissions: "*" is the only resource IAM accepts.
            Action: ["sagemaker:ListApps", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles", "sagemaker:ListDomains", "sagemaker:ListTags"],
            Resource: "*",
        },
        {
            Sid: "StudioDescribe",
            Effect: "Allow",
            Action: ["sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile", "sagemaker:DescribeSpace", "sagemaker:DescribeApp"],
            Resource: [
                arn("sagemaker", scope, pulumi.interpolate`domain/${domainId}`),
                arn("sagemaker", scope, pulumi.interpolate`user-profile/${domainId}/*`),
                arn("sagemaker", scope, pulumi.interpolate`space/${domainId}/*`),
                arn("sagemaker", scope, pulumi.interpolate`app/${domainId}/*`),
            ],
        },
        {
            Sid: "OwnPrivateSpaceApps",
            Effect: "Allow",
            Action: ["sagemaker:CreateApp", "sagemaker:DeleteApp"],
            Resource: arn("sagemaker", scope, pulumi.interpolate`app/${domainId}/*`),
            // Team members share a role; only the owner of a private space may start or stop its apps.
            Condition: { ArnLike: { "sagemaker:OwnerUserProfileArn": ownProfile }, StringEquals: { "sagemaker:SpaceSharingType": "Private" } },
        },
        {
            Sid: "TagAppsOnCreate",
            Effect: "Allow",
            Action: "sagemaker:AddTags",
            Resource: arn("sagemaker", scope, pulumi.interpolate`app/${domainId}/*`),
            Condition: { Null: { "sagemaker:TaggingAction": "false" } },
        },
        {
            Sid: "StudioAppLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [arn("logs", scope, "log-group:/aws/sagemaker/studio"), arn("logs", scope, "log-group:/aws/sagemaker/studio:*")],
        },
        {
            Sid: "SpaceVolumeKeyGrant",
            Effect: "Allow",
            // Attaching an encrypted space volume creates a grant in the app's name; only AWS services may hold it.
            Action: "kms:CreateGrant",
            Resource: workspaceKeyArn,
            Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
        // The volume's data key is made and read by EC2 (EBS) and SageMaker on the app's behalf; these
        // requests carry no grant context, so they are bound to those services instead.
        keyViaService("SpaceVolumeKey", workspaceKeyArn, ["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext"], ["ec2", "sagemaker"], scope.region),
    ];
}

/** Pass one named role to one service. */
function passRole(sid: string, roleArn: pulumi.Input<string>, service: string): StatementInput {
    return { Sid: sid, Effect: "Allow", Action: "iam:PassRole", Resource: roleArn, Condition: { StringEquals: { "iam:PassedToService": service } } };
}

/** What a team's notebooks do on the platform: run flows on Batch, deploy them to Step Functions, keep hyperparameters. */
export function platformStatements(team: string, grants: PlatformGrants, scope: WorkspaceScope): StatementInput[] {
    const statements: StatementInput[] = [
        ...artifactStoreReadWrite(grants.artifactBucketArn, grants.artifactKmsKeyArn, scope.region),
        {
            Sid: "SubmitToPlatformQueues",
            Effect: "Allow",
            Action: "batch:SubmitJob",
            // SubmitJob authorizes against both the queue and the job definition.
            Resource: pulumi.all([grants.jobQueueArns, jobDefinitionArnPattern(scope)]).apply(([queues, definitions]) => [...queues, definitions]),
        },
        {
            Sid: "RegisterMetaflowJobDefinitions",
            Effect: "Allow",
            Action: ["batch:RegisterJobDefinition", "batch:TagResource"],
            Resource: jobDefinitionArnPattern(scope),
        },
        {
            Sid: "ManageJobs",
            Effect: "Allow",
            Action: ["batch:TerminateJob", "batch:TagResource"],
            Resource: batchJobArnPattern(scope),
        },
        {
            Sid: "ReadBatch",
            Effect: "Allow",
            // batch:DescribeJobs, ListJobs, DescribeJobDefinitions and DescribeJobQueues have no resource-level permissions: "*" is the only resource IAM accepts.
            Action: ["batch:DescribeJobs", "batch:ListJobs", "batch:DescribeJobDefinitions", "batch:DescribeJobQueues"],
            Resource: "*",
        },
        passRole("PassJobRoleToBatch", grants.jobRoleArn, "batch.amazonaws.com"),
        passRole("PassStepFunctionsRole", grants.stepFunctionsRoleArn, "states.amazonaws.com"),
        passRole("PassEventBridgeRole", grants.eventBridgeRoleArn, "events.amazonaws.com"),
        {
            Sid: "DeployStateMachines",
            Effect: "Allow",
            Action: [
                "states:CreateStateMachine",
                "states:UpdateStateMachine",
                "states:DeleteStateMachine",
                "states:DescribeStateMachine",
                "states:StartExecution",
                "states:ListExecutions",
                "states:TagResource",
            ],
            Resource: arn("states", scope, pulumi.interpolate`stateMachine:${grants.stateMachinePrefix}*`),
        },
        {
            Sid: "InspectExecutions",
            Effect: "Allow",
            Action: ["states:DescribeExecution", "states:StopExecution", "states:GetExecutionHistory"],
            Resource: arn("states", scope, pulumi.interpolate`execution:${grants.stateMachinePrefix}*:*`),
        },
        {
            Sid: "ListStateMachines",
            Effect: "Allow",
            // states:ListStateMachines has no resource-level permissions: "*" is the only resource IAM accepts.
            Action: "states:ListStateMachines",
            Resource: "*",
        },
        {
            Sid: "ScheduleRules",
            Effect: "Allow",
            // @schedule creates an EventBridge rule named after the state machine, so it carries the prefix.
            Action: [
                "events:PutRule",
                "events:DeleteRule",
                "events:DescribeRule",
                "events:EnableRule",
                "events:DisableRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:ListTargetsByRule",
                "events:TagResource",
            ],
            Resource: arn("events", scope, pulumi.interpolate`rule/${grants.stateMachinePrefix}*`),
        },
        {
            Sid: "OrchestratorTable",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            Resource: grants.tableArn,
        },
        {
            Sid: "ReadMetaflowConfig",
            Effect: "Allow",
            Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
            Resource: parameterTree(scope, `${scope.ssmRoot}/metaflow`),
        },
        {
            Sid: "TeamHyperparameters",
            Effect: "Allow",
            Action: [
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:GetParametersByPath",
                "ssm:GetParameterHistory",
                "ssm:PutParameter",
                "ssm:DeleteParameter",
                "ssm:DeleteParameters",
                "ssm:AddTagsToResource",
            ],
            Resource: parameterTree(scope, teamParameterPath(scope.ssmRoot, team)),
        },
    ];
    if (grants.jobLogGroupName !== undefined) {
        statements.push({
            Sid: "ReadJobLogs",
            Effect: "Allow",
            Action: ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:DescribeLogStreams"],
            Resource: [arn("logs", scope, pulumi.interpolate`log-group:${grants.jobLogGroupName}`), arn("logs", scope, pulumi.interpolate`log-group:${grants.jobLogGroupName}:*`)],
        });
    }
    if (grants.tableKmsKeyArn !== undefined) {
        statements.push(keyViaService("OrchestratorTableKey", grants.tableKmsKeyArn, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], "dynamodb", scope.region));
    }
    if (grants.parametersKmsKeyArn !== undefined) {
        statements.push(keyViaService("ParametersKey", grants.parametersKmsKeyArn, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], "ssm", scope.region));
    }
    return statements;
}

/**
 * The policy an IAM Identity Center permission set (or an IAM group) attaches so people can open
 * their own workspace: a presigned Studio URL only for the user profile tagged with their own
 * `studiouserid`, which Identity Center passes as a session tag.
 */
export function launchStatements(domainId: pulumi.Input<string>, scope: WorkspaceScope): StatementInput[] {
    return [
        {
            Sid: "OpenOwnWorkspace",
            Effect: "Allow",
            Action: "sagemaker:CreatePresignedDomainUrl",
            Resource: arn("sagemaker", scope, pulumi.interpolate`user-profile/${domainId}/*`),
            Condition: { StringEquals: { "sagemaker:ResourceTag/studiouserid": "${aws:PrincipalTag/studiouserid}" } },
        },
        {
            Sid: "FindWorkspace",
            Effect: "Allow",
            Action: ["sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile"],
            Resource: [arn("sagemaker", scope, pulumi.interpolate`domain/${domainId}`), arn("sagemaker", scope, pulumi.interpolate`user-profile/${domainId}/*`)],
        },
        {
            Sid: "ListWorkspaces",
            Effect: "Allow",
            // sagemaker:ListDomains and ListUserProfiles have no resource-level permissions: "*" is the only resource IAM accepts.
            Action: ["sagemaker:ListDomains", "sagemaker:ListUserProfiles"],
            Resource: "*",
        },
    ];
}
