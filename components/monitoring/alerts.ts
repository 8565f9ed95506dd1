import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { keepOptions, policyJson, type DataProtectionArgs } from "../shared";
import { alertKeyStatements, alertTopicStatements } from "./alert-policies";

/** `protect` and `retainOnDelete` keep the topic's key. */
export interface AlertsArgs extends DataProtectionArgs {
    /** Addresses that receive every alert; each confirms its subscription from the first e-mail. */
    readonly emails: readonly string[];
    /** Days a deleted KMS key waits before it is gone. @default 30 */
    readonly keyDeletionWindowDays?: number;
}

/** A readable resource name for an address that does not change when the list is reordered. */
export function subscriptionRole(email: string): string {
    return `email-${email.toLowerCase().replace(/@/g, "-at-").replace(/[^a-z0-9-]/g, "-")}`;
}

/**
 * The platform's one alert channel: an SNS topic encrypted with its own rotating KMS key, to which
 * CloudWatch alarms, EventBridge rules and AWS Budgets of this account may publish, with an e-mail
 * subscription per address. Every other component routes its alerts to `topicArn`.
 */
export class Alerts extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;
    public readonly topicName: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ml-platform:monitoring:Alerts", name, {}, opts);
        const child: pulumi.CustomResourceOptions = { parent: this };
        const roles = args.emails.map(subscriptionRole);
        const clash = roles.find((role, i) => roles.indexOf(role) !== i);
        if (clash !== undefined) {
            throw new pulumi.ResourceError(`two alert e-mail addresses map to the subscription name '${clash}': list each address once`, this);
        }
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Alert topic encryption (${name})`,
                enableKeyRotation: true,
                deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
                policy: policyJson(alertKeyStatements(accountId)),
            },
            keepOptions(this, args),
        );
        const topic = new aws.sns.Topic(`${name}-topic`, { displayName: `ML platform alerts (${name})`, kmsMasterKeyId: key.arn }, child);
        new aws.sns.TopicPolicy(`${name}-topic-policy`, { arn: topic.arn, policy: policyJson(alertTopicStatements(topic.arn, accountId)) }, child);
        // Named by address, not position: reordering the list must not replace subscriptions.
        args.emails.forEach((email, i) => {
            new aws.sns.TopicSubscription(`${name}-${roles[i]}`, { topic: topic.arn, protocol: "email", endpoint: email }, child);
        });

        this.topicArn = topic.arn;
        this.topicName = topic.name;
        this.kmsKeyArn = key.arn;
        this.registerOutputs({ topicArn: this.topicArn, topicName: this.topicName, kmsKeyArn: this.kmsKeyArn });
    }
}
