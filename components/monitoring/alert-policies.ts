/**
 * The alert topic's two resource policies. AWS services publish alerts on the platform's behalf
 * (alarms, event rules, budgets); an encrypted topic only accepts their messages when the services
 * may both publish to the topic and use its key.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StatementInput } from "../shared";

/** The services that publish to the alert topic: CloudWatch alarms, EventBridge rules, AWS Budgets. */
export const ALERT_PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com"] as const;

/** The key policy of the topic's CMK: the account administers it through IAM; the publishers encrypt with it. */
export function alertKeyStatements(accountId: pulumi.Input<string>): StatementInput[] {
    return [
        {
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
            // The default key policy: delegates the key to IAM policies, so it can never become unmanageable.
            Action: "kms:*",
            Resource: "*",
        },
        {
            Sid: "PublishersEncryptAlerts",
            Effect: "Allow",
            Principal: { Service: [...ALERT_PUBLISHERS] },
            // SNS asks for a data key in the publishing service's name; in a key policy "*" is this key.
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: "*",
        },
    ];
}

/** The topic policy: only this account's alarms, rules and budgets may publish. */
export function alertTopicStatements(topicArn: pulumi.Input<string>, accountId: pulumi.Input<string>): StatementInput[] {
    return [
        {
            Sid: "AccountServicesPublish",
            Effect: "Allow",
            Principal: { Service: [...ALERT_PUBLISHERS] },
            Action: "sns:Publish",
            Resource: topicArn,
            // Without it, another account's alarm or rule could publish here (confused deputy).
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    ];
}
