import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { Alerts, Monitoring, type MonitoringArgs } from "../components/monitoring";
import { issuesOf, platformConfig, rejectedPaths, withFields, withKey } from "./helpers/config";
import { one, ofType, parseJson, record, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";
import { planOf, STACKS } from "./helpers/stacks";

const ACCOUNT = "123456789012";
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:mlp-dev-alerts`;
const QUEUES = [`arn:aws:batch:us-east-1:${ACCOUNT}:job-queue/mlp-dev-cpu`, `arn:aws:batch:us-east-1:${ACCOUNT}:job-queue/mlp-dev-gpu`];
const METADATA = { loadBalancerArnSuffix: "app/mlp-dev-md/0123456789abcdef", targetGroupArnSuffix: "targetgroup/mlp-dev-md/fedcba9876543210", ecsClusterName: "mlp-dev-md", ecsServiceName: "mlp-dev-md-service" };

function monitoringArgs(change: Partial<MonitoringArgs> = {}): MonitoringArgs {
    return {
        environment: "dev",
        region: "us-east-1",
        alertTopicArn: TOPIC,
        jobQueueArns: QUEUES,
        metadata: METADATA,
        database: { identifier: "mlp-dev-metadata-db", kind: "instance" },
        thresholds: { databaseCpuPercent: 80, databaseConnections: 90, databaseFreeStorageGiB: 5, metadataServer5xxErrors: 10 },
        driftModels: [
            { name: "churn-classifier", threshold: 0.3 },
            { name: "demand-forecast", threshold: 0.25 },
        ],
        monthlyBudgetUsd: 1500,
        eventLogRetentionDays: 30,
        ...change,
    };
}

type Statement = { Sid: string; Effect: string; Principal?: any; Action: string | string[]; Resource: string | string[]; Condition?: any };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("Alerts", () => {
    let resources: RecordedResource[];
    let topicArn: string;

    before(async () => {
        const run = await record(async () => {
            const alerts = new Alerts("alerts", { emails: ["ml-platform@acme.example", "On.Call+ml@acme.example"] }, { providers: [testProvider()] });
            return resolve(alerts.topicArn);
        });
        resources = run.resources;
        topicArn = run.outputs;
    });

    it("encrypts the topic with its own rotating KMS key", () => {
        const key = one(resources, "aws:kms/key:Key", "alerts-key");
        expect(key.inputs.enableKeyRotation).to.equal(true);
        expect(one(resources, "aws:sns/topic:Topic", "alerts-topic").inputs.kmsMasterKeyId).to.equal(key.state.arn);
    });

    it("lets the account administer the key and only the alert publishers use it", () => {
        const statements: Statement[] = parseJson(one(resources, "aws:kms/key:Key", "alerts-key").inputs.policy).Statement;
        expect(statements.map((s) => s.Principal)).to.deep.equal([
            { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com"] },
        ]);
        expect(list(statements[1].Action)).to.deep.equal(["kms:GenerateDataKey*", "kms:Decrypt"]);
    });

    it("lets only this account's alarms, rules and budgets publish", () => {
        const policy = one(resources, "aws:sns/topicPolicy:TopicPolicy", "alerts-topic-policy");
        expect(policy.inputs.arn).to.equal(topicArn);
        const statements: Statement[] = parseJson(policy.inputs.policy).Statement;
        expect(statements).to.have.length(1);
        expect(statements[0]).to.deep.include({ Effect: "Allow", Action: "sns:Publish", Resource: topicArn });
        expect(statements[0].Principal.Service).to.include.members(["events.amazonaws.com", "cloudwatch.amazonaws.com"]);
        expect(statements[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": ACCOUNT } });
    });

    it("subscribes each address by e-mail, named by address so reordering replaces nothing", () => {
        const subs = ofType(resources, "aws:sns/topicSubscription:TopicSubscription");
        expect(subs.map((s) => [s.name, s.inputs.protocol, s.inputs.endpoint, s.inputs.topic])).to.have.deep.members([
            ["alerts-email-ml-platform-at-acme-example", "email", "ml-platform@acme.example", topicArn],
            ["alerts-email-on-call-ml-at-acme-example", "email", "On.Call+ml@acme.example", topicArn],
        ]);
    });

    it("refuses two addresses that would share a subscription name", async () => {
        let error: unknown;
        try {
            await record(() => {
                new Alerts("alerts", { emails: ["a.b@acme.example", "a-b@acme.example"] }, { providers: [testProvider()] });
            });
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(pulumi.ResourceError);
        expect((error as Error).message).to.match(/map to the subscription name 'email-a-b-at-acme-example'/);
    });
});

describe("Monitoring", () => {
    let resources: RecordedResource[];
    let dashboardUrl: string;
    const alarm = (role: string) => one(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", `mon-${role}`).inputs;

    before(async () => {
        const run = await record(async () => {
            const m = new Monitoring("mon", monitoringArgs(), { providers: [testProvider()] });
            return resolve(m.dashboardUrl);
        });
        resources = run.resources;
        dashboardUrl = run.outputs;
    });

    describe("the dashboard", () => {
        let widgets: any[];
        before(() => {
            widgets = parseJson(one(resources, "aws:cloudwatch/dashboard:Dashboard", "mon-dashboard").inputs.dashboardBody).widgets;
        });

        it("is named for the environment and linked from the component", () => {
            expect(one(resources, "aws:cloudwatch/dashboard:Dashboard", "mon-dashboard").inputs.dashboardName).to.equal("mlp-dev-platform");
            expect(dashboardUrl).to.equal("https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=mlp-dev-platform");
        });

        it("shows pipelines, Batch, the metadata service, its database, drift and spend", () => {
            const titles = widgets.map((w) => w.properties.title).filter(Boolean);
            for (const part of [/Pipeline executions/, /Pipeline duration/, /Batch job outcomes/, /Batch queue/, /Jobs waiting/, /Metadata service targets/, /CPU and memory/, /database CPU/, /free storage/, /drift/i, /charges/, /Alarms/]) {
                expect(titles.some((t: string) => part.test(t)), String(part)).to.equal(true);
            }
        });

        it("refers only to this environment's resources and namespaces", () => {
            const expressions = widgets.flatMap((w) => (w.properties.metrics ?? []).flatMap((m: any[]) => m.filter((x) => typeof x === "object" && x.expression).map((x) => x.expression as string)));
            const plain = widgets.flatMap((w) => (w.properties.metrics ?? []).filter((m: any[]) => typeof m[0] === "string"));
            expect(expressions.length + plain.length).to.be.greaterThan(10);
            for (const e of expressions) {
                const scoped =
                    (e.includes("{AWS/States,StateMachineArn}") && e.includes('"mlp-dev-flow"')) ||
                    e.includes("{MLPlatform/dev,JobQueue}") ||
                    (e.includes("{MLPlatform/ModelDrift,Environment,Model}") && e.includes('Environment="dev"'));
                expect(scoped, e).to.equal(true);
            }
            for (const m of plain) {
                const [namespace, , ...rest] = m as string[];
                const dims = Object.fromEntries(rest.filter((x) => typeof x === "string").reduce<string[][]>((pairs, x, i, all) => (i % 2 === 0 ? [...pairs, [x, all[i + 1]]] : pairs), []));
                const expected: Record<string, Record<string, string>> = {
                    "AWS/ApplicationELB": { TargetGroup: METADATA.targetGroupArnSuffix, LoadBalancer: METADATA.loadBalancerArnSuffix },
                    "AWS/ECS": { ClusterName: METADATA.ecsClusterName, ServiceName: METADATA.ecsServiceName },
                    "AWS/RDS": { DBInstanceIdentifier: "mlp-dev-metadata-db" },
                    "AWS/Billing": { Currency: "USD" },
                };
                expect(expected[namespace], namespace).to.not.equal(undefined);
                expect(dims, namespace).to.deep.equal(expected[namespace]);
            }
            const log = widgets.find((w) => w.type === "log");
            expect(log.properties.query).to.match(/^SOURCE '\/aws\/events\/mlp-dev-platform' \|/);
        });

        it("reads spend in us-east-1 and marks the budget and drift thresholds", () => {
            const spend = widgets.find((w) => /charges/.test(w.properties.title ?? ""));
            expect(spend.properties.region).to.equal("us-east-1");
            expect(spend.properties.annotations.horizontal).to.deep.equal([{ label: "dev budget", value: 1500 }]);
            const drift = widgets.find((w) => /drift/i.test(w.properties.title ?? ""));
            expect(drift.properties.annotations.horizontal.map((a: any) => a.value)).to.deep.equal([0.3, 0.25]);
        });

        it("lists every alarm and keeps widgets inside the 24-column grid without overlaps", () => {
            const alarmArns = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.state.arn);
            expect(widgets.find((w) => w.type === "alarm").properties.alarms).to.have.members(alarmArns);
            const cells = new Set<string>();
            for (const w of widgets) {
                expect(w.x + w.width).to.be.at.most(24);
                for (let x = w.x; x < w.x + w.width; x++) {
                    for (let y = w.y; y < w.y + w.height; y++) {
                        expect(cells.has(`${x},${y}`), `overlap at ${x},${y}`).to.equal(false);
                        cells.add(`${x},${y}`);
                    }
                }
            }
        });
    });

    describe("alarms", () => {
        it("all notify the alert topic", () => {
            const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
            expect(alarms).to.have.length(8);
            for (const a of alarms) expect(a.inputs.alarmActions, a.name).to.deep.equal([TOPIC]);
        });

        it("fire on any failed pipeline execution of the environment", () => {
            expect(alarm("pipeline-failures")).to.deep.include({
                name: "mlp-dev-pipeline-failures",
                namespace: "MLPlatform/dev",
                metricName: "PipelineExecutionsFailed",
                statistic: "Sum",
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            });
        });

        it("watch the metadata service's healthy targets and server errors", () => {
            const lb = { TargetGroup: METADATA.targetGroupArnSuffix, LoadBalancer: METADATA.loadBalancerArnSuffix };
            expect(alarm("metadata-unhealthy")).to.deep.include({ metricName: "HealthyHostCount", dimensions: lb, threshold: 1, comparisonOperator: "LessThanThreshold", treatMissingData: "breaching", okActions: [TOPIC] });
            expect(alarm("metadata-errors")).to.deep.include({ metricName: "HTTPCode_Target_5XX_Count", dimensions: lb, statistic: "Sum", threshold: 9, comparisonOperator: "GreaterThanThreshold" });
        });

        it("watch the database's CPU, connections and free storage at the configured thresholds", () => {
            const db = { DBInstanceIdentifier: "mlp-dev-metadata-db" };
            expect(alarm("database-cpu")).to.deep.include({ namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: db, threshold: 80 });
            expect(alarm("database-connections")).to.deep.include({ metricName: "DatabaseConnections", dimensions: db, threshold: 90 });
            expect(alarm("database-storage")).to.deep.include({ metricName: "FreeStorageSpace", dimensions: db, threshold: 5 * 1024 ** 3, comparisonOperator: "LessThanThreshold" });
        });

        it("watch each configured model's drift score above its threshold", () => {
            expect(alarm("drift-churn-classifier")).to.deep.include({
                namespace: "MLPlatform/ModelDrift",
                metricName: "DriftScore",
                dimensions: { Environment: "dev", Model: "churn-classifier" },
                statistic: "Maximum",
                threshold: 0.3,
                comparisonOperator: "GreaterThanThreshold",
            });
            expect(alarm("drift-demand-forecast").threshold).to.equal(0.25);
        });

        it("watch an Aurora Serverless cluster's capacity instead of storage", async () => {
            const run = await record(() => {
                new Monitoring("mon", monitoringArgs({ database: { identifier: "mlp-dev-md-cluster", kind: "aurora-serverless" } }), { providers: [testProvider()] });
            });
            const names = ofType(run.resources, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name);
            expect(names).to.include("mon-database-capacity").and.not.include("mon-database-storage");
            expect(one(run.resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "mon-database-cpu").inputs.dimensions).to.deep.equal({ DBClusterIdentifier: "mlp-dev-md-cluster" });
        });
    });

    describe("event-derived metrics", () => {
        it("capture this environment's state machines and job queues only", () => {
            const pipelines = parseJson(one(resources, "aws:cloudwatch/eventRule:EventRule", "mon-pipeline-events").inputs.eventPattern);
            expect(pipelines.detail.stateMachineArn).to.deep.equal([{ prefix: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:mlp-dev-flow` }]);
            const jobs = parseJson(one(resources, "aws:cloudwatch/eventRule:EventRule", "mon-batch-events").inputs.eventPattern);
            expect(jobs.detail.jobQueue).to.deep.equal(QUEUES);
        });

        it("keep the events in an encrypted log group with retention, writable only by the two rules", () => {
            const group = one(resources, "aws:cloudwatch/logGroup:LogGroup", "mon-events");
            expect(group.inputs).to.deep.include({ name: "/aws/events/mlp-dev-platform", retentionInDays: 30, kmsKeyId: one(resources, "aws:kms/key:Key", "mon-key").state.arn });
            const statement = parseJson(one(resources, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "mon-events-delivery").inputs.policyDocument).Statement[0];
            const ruleArns = ofType(resources, "aws:cloudwatch/eventRule:EventRule").map((r) => r.state.arn);
            expect(statement.Condition.ArnEquals["aws:SourceArn"]).to.have.members(ruleArns);
            for (const t of ofType(resources, "aws:cloudwatch/eventTarget:EventTarget")) expect(t.inputs.arn).to.equal(group.state.arn);
        });

        it("count failures into the namespace the pipeline alarm reads", () => {
            const filter = one(resources, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "mon-PipelineExecutionsFailed").inputs;
            expect(filter.metricTransformation).to.deep.include({ name: "PipelineExecutionsFailed", namespace: "MLPlatform/dev", value: "1", defaultValue: "0" });
            expect(filter.pattern).to.include('$.detail.status = "FAILED"').and.include('$.detail.status = "TIMED_OUT"');
            const perQueue = one(resources, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "mon-BatchJobsFailed").inputs.metricTransformation;
            expect(perQueue.dimensions).to.deep.equal({ JobQueue: "$.detail.jobQueue" });
        });
    });

    it("budgets the environment's tagged spend with forecast and actual notifications to the topic", () => {
        const budget = one(resources, "aws:budgets/budget:Budget", "mon-budget").inputs;
        expect(budget).to.deep.include({ name: "mlp-dev-monthly", budgetType: "COST", limitAmount: "1500.00", limitUnit: "USD", timeUnit: "MONTHLY" });
        expect(budget.costFilters).to.deep.equal([{ name: "TagKeyValue", values: ["user:Environment$dev"] }]);
        expect(budget.notifications.map((n: any) => [n.notificationType, n.threshold, n.thresholdType, n.subscriberSnsTopicArns])).to.deep.equal([
            ["FORECASTED", 100, "PERCENTAGE", [TOPIC]],
            ["ACTUAL", 80, "PERCENTAGE", [TOPIC]],
            ["ACTUAL", 100, "PERCENTAGE", [TOPIC]],
        ]);
    });
});

describe("monitoring in the real stacks", () => {
    for (const stack of STACKS) {
        it(`${stack}: budget from config, alarms to the stack's alert topic, retention on every log group`, async () => {
            const plan = await planOf(stack);
            const config = platformConfig(stack);
            const budget = plan.resources.find((r) => r.type === "aws:budgets/budget:Budget")!;
            expect(budget.inputs.limitAmount).to.equal(config.monitoring.monthlyBudgetUsd.toFixed(2));
            const topic = (plan.outputs as { alertTopicArn: string }).alertTopicArn;
            const alarms = plan.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.component === `mlp-${stack}-monitoring`);
            expect(alarms.length).to.be.at.least(5 + config.monitoring.driftModels.length);
            for (const a of alarms) expect(a.inputs.alarmActions, a.name).to.deep.equal([topic]);
            expect(plan.resources.filter((r) => r.type === "aws:cloudwatch/dashboard:Dashboard")).to.have.length(1);
            for (const group of plan.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")) {
                expect(group.inputs.retentionInDays, group.name).to.be.a("number").and.greaterThan(0);
            }
        });
    }
    it("budgets dev, staging and prod at $1,500, $3,000 and $25,000", async () => {
        const amounts = await Promise.all(STACKS.map(async (s) => (await planOf(s)).resources.find((r) => r.type === "aws:budgets/budget:Budget")!.inputs.limitAmount));
        expect(amounts).to.deep.equal(["1500.00", "3000.00", "25000.00"]);
    });
});

describe("monitoring config", () => {
    const cases: { name: string; change: Record<string, unknown>; path: string; expected: RegExp }[] = [
        { name: "an invalid e-mail address", change: { alertEmails: ["ops@", "ml@acme.example"] }, path: "ml-platform:monitoring.alertEmails[0]", expected: /an e-mail address/ },
        { name: "the same address twice", change: { alertEmails: ["ml@acme.example", "ML@acme.example"] }, path: "ml-platform:monitoring.alertEmails[1]", expected: /not already in the list/ },
        { name: "no address", change: { alertEmails: [] }, path: "ml-platform:monitoring.alertEmails", expected: /list with a number of items >= 1/ },
        { name: "a zero budget", change: { monthlyBudgetUsd: 0 }, path: "ml-platform:monitoring.monthlyBudgetUsd", expected: /greater than 0/ },
        { name: "a negative budget", change: { monthlyBudgetUsd: -100 }, path: "ml-platform:monitoring.monthlyBudgetUsd", expected: /a number from 0/ },
        { name: "a drift threshold above 1", change: { driftModels: [{ name: "churn", threshold: 1.5 }] }, path: "ml-platform:monitoring.driftModels[0].threshold", expected: /a number from 0 to 1/ },
        { name: "a drift threshold of 0", change: { driftModels: [{ name: "churn", threshold: 0 }] }, path: "ml-platform:monitoring.driftModels[0].threshold", expected: /strictly between 0 and 1/ },
        { name: "a model listed twice", change: { driftModels: [{ name: "churn", threshold: 0.2 }, { name: "churn", threshold: 0.3 }] }, path: "ml-platform:monitoring.driftModels[1].name", expected: /not already in driftModels/ },
        { name: "a retention CloudWatch does not offer", change: { eventLogRetentionDays: 45 }, path: "ml-platform:monitoring.eventLogRetentionDays", expected: /retention periods CloudWatch Logs accepts/ },
        { name: "an unknown key", change: { budget: 5 }, path: "ml-platform:monitoring.budget", expected: /a known key of ml-platform:monitoring/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.name} with the key path`, () => {
            const issues = issuesOf(withFields("ml-platform:monitoring", c.change));
            const issue = issues.find((i) => i.path === c.path);
            expect(issue, JSON.stringify(issues)).to.not.equal(undefined);
            expect(issue!.expected).to.match(c.expected);
            expect(issues.filter((i) => i.path === c.path), "one issue per bad value").to.have.length(1);
        });
    }
    it("requires the monitoring key", () => {
        const raw = withKey("ml-platform:monitoring", undefined);
        expect(rejectedPaths(raw)).to.include("ml-platform:monitoring");
    });
});
