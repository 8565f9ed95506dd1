/**
 * Managed services billed per item a month (KMS keys, secrets, alarms, dashboards, WAF ACLs) or only
 * by use (logs, topics, APIs, state machines, functions: listed at $0 with their usage prices, so a
 * reviewer sees what drives them).
 */
import { usd, type RegionPrices } from "./prices";
import type { CostedResource, Estimate } from "./types";

const always = (amount: number, basis: string): Estimate => ({ monthlyIdle: amount, monthlyMax: amount, basis });

export function kmsKey(_r: CostedResource, p: RegionPrices): Estimate {
    return always(p.kms.keyMonthly, `customer-managed KMS key ${usd(p.kms.keyMonthly)}/month, + ${usd(p.kms.per10kRequests)}/10k requests (usage)`);
}

export function secret(_r: CostedResource, p: RegionPrices): Estimate {
    const s = p.secretsManager;
    return always(s.secretMonthly, `secret ${usd(s.secretMonthly)}/month, + ${usd(s.per10kApiCalls)}/10k API calls (usage)`);
}

/** Alarms bill per metric they watch: each metric of a math expression, three for anomaly detection. */
export function metricAlarm(r: CostedResource, p: RegionPrices): Estimate {
    const c = p.cloudwatch;
    const queries = (r.props.metricQueries as { metric?: unknown }[] | undefined) ?? [];
    const metrics = Math.max(1, queries.filter((q) => q.metric !== undefined).length);
    const anomaly = r.props.thresholdMetricId !== undefined;
    const highResolution = Number(r.props.period ?? 60) < 60;
    const perMetric = highResolution ? c.alarmMetricMonthly.highResolution : c.alarmMetricMonthly.standard;
    const units = metrics * (anomaly ? c.anomalyDetectionMetricsPerAlarm : 1);
    return always(units * perMetric, `${units} alarm metric(s)${anomaly ? " (anomaly detection)" : ""} × ${usd(perMetric)}/month${highResolution ? " (high resolution)" : ""}`);
}

export function compositeAlarm(_r: CostedResource, p: RegionPrices): Estimate {
    return always(p.cloudwatch.compositeAlarmMonthly, `composite alarm ${usd(p.cloudwatch.compositeAlarmMonthly)}/month`);
}

export function dashboard(_r: CostedResource, p: RegionPrices): Estimate {
    // Counted in full: the account's first three dashboards are free, but other stacks may use them.
    return always(p.cloudwatch.dashboardMonthly, `dashboard ${usd(p.cloudwatch.dashboardMonthly)}/month`);
}

export function logGroup(_r: CostedResource, p: RegionPrices): Estimate {
    const c = p.cloudwatch;
    return always(0, `by use: ingestion ${usd(c.logIngestionPerGb)}/GB, storage ${usd(c.logStorageGbMonth)}/GB-month`);
}

export function snsTopic(_r: CostedResource, p: RegionPrices): Estimate {
    return always(0, `by use: ${usd(p.sns.publishesPerMillion)}/million publishes, ${usd(p.sns.emailsPer100k)}/100k emails; ${p.sns.freeTier}`);
}

export function ssmParameter(r: CostedResource, p: RegionPrices): Estimate | undefined {
    if (r.props.tier !== "Advanced") return undefined; // standard parameters are free
    return always(p.ssm.advancedParameterMonthly, `advanced parameter ${usd(p.ssm.advancedParameterMonthly)}/month`);
}

export function restApi(_r: CostedResource, p: RegionPrices): Estimate {
    return always(0, `by use: ${usd(p.apiGateway.restPerMillion)}/million REST API requests`);
}

export function httpApi(r: CostedResource, p: RegionPrices): Estimate {
    return always(0, r.props.protocolType === "WEBSOCKET" ? "by use: messages and connection minutes" : `by use: ${usd(p.apiGateway.httpPerMillion)}/million HTTP API requests`);
}

export function stateMachine(_r: CostedResource, p: RegionPrices): Estimate {
    return always(0, `by use: ${usd(p.stepFunctions.standardPer1000Transitions)}/1,000 standard state transitions`);
}

export function lambdaFunction(_r: CostedResource, p: RegionPrices): Estimate {
    return always(0, `by use: ${usd(p.lambda.perMillionRequests)}/million requests + ${usd(p.lambda.gbSecond)}/GB-second`);
}

export function webAcl(r: CostedResource, p: RegionPrices): Estimate {
    const rules = ((r.props.rules as unknown[] | undefined) ?? []).length;
    const w = p.waf;
    return always(w.webAclMonthly + rules * w.ruleMonthly, `web ACL ${usd(w.webAclMonthly)}/month + ${rules} rule(s) × ${usd(w.ruleMonthly)}, + ${usd(w.perMillionRequests)}/million requests (usage)`);
}
