/**
 * VPC flow logs: what the delivery role may do, and the retention periods CloudWatch Logs accepts.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StatementInput } from "../shared";

/** The only values CloudWatch Logs accepts for `retentionInDays` (0, never expire, is not offered). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** The service principal that delivers flow logs by assuming the delivery role. */
export const FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com";

/**
 * What the flow log service needs to write into one existing log group. The group is created by the
 * program, so the role gets no `logs:CreateLogGroup` and no access to any other group.
 */
export function flowLogDeliveryStatements(logGroupArn: pulumi.Input<string>): StatementInput[] {
    return [
        {
            Sid: "WriteFlowLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: pulumi.output(logGroupArn).apply((arn) => [arn, `${arn}:*`]),
        },
    ];
}

/** The partition and account inside an ARN (`arn:aws:ec2:us-east-1:123456789012:vpc/...`), without an invoke. */
export function arnAccount(arn: string): { partition: string; accountId: string } {
    const [, partition, , , accountId] = arn.split(":");
    if (!partition || !/^\d{12}$/.test(accountId ?? "")) throw new Error(`'${arn}' carries no partition and account id`);
    return { partition, accountId };
}
