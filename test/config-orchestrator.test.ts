import { expect } from "chai";
import { ConfigError, decodeRawConfig, parsePlatformConfig, type ConfigIssue, type RawConfig } from "../stacks/config";
import { REPO_ROOT } from "../tools/plan/plan";
import { loadStackFiles } from "../tools/plan/stack-files";

function stackConfig(stack: string): Record<string, unknown> {
    return decodeRawConfig(loadStackFiles(REPO_ROOT, stack).config);
}

function issuesOf(raw: RawConfig, stack: string): ConfigIssue[] {
    try {
        parsePlatformConfig(raw, stack);
    } catch (e) {
        if (e instanceof ConfigError) return [...e.issues];
        throw e;
    }
    return [];
}

/** One stack's config with one top-level key replaced (or removed with `undefined`). */
function withKey(stack: string, key: string, value: unknown): Record<string, unknown> {
    const raw = stackConfig(stack);
    if (value === undefined) delete raw[key];
    else raw[key] = value;
    return raw;
}

describe("orchestrator config", () => {
    it("reads the committed stacks: short quiet logs in dev, a year of logs and every failure alerting in prod", () => {
        expect(parsePlatformConfig(stackConfig("dev"), "dev").orchestrator).to.deep.equal({ executionLogRetentionDays: 14, alertOnBatchJobFailures: false });
        expect(parsePlatformConfig(stackConfig("staging"), "staging").orchestrator).to.deep.equal({ executionLogRetentionDays: 30, alertOnBatchJobFailures: true });
        expect(parsePlatformConfig(stackConfig("prod"), "prod").orchestrator).to.deep.equal({ executionLogRetentionDays: 365, alertOnBatchJobFailures: true });
    });

    it("defaults by environment when the key is absent", () => {
        expect(parsePlatformConfig(withKey("dev", "ml-platform:orchestrator", undefined), "dev").orchestrator).to.deep.equal({ executionLogRetentionDays: 30, alertOnBatchJobFailures: false });
        expect(parsePlatformConfig(withKey("prod", "ml-platform:orchestrator", undefined), "prod").orchestrator).to.deep.equal({ executionLogRetentionDays: 365, alertOnBatchJobFailures: true });
    });

    for (const [what, value, path, expected] of [
        ["a retention CloudWatch Logs does not offer", { executionLogRetentionDays: 45 }, "ml-platform:orchestrator.executionLogRetentionDays", "retention periods CloudWatch Logs accepts"],
        ["a retention that is not a number", { executionLogRetentionDays: "forever" }, "ml-platform:orchestrator.executionLogRetentionDays", "a whole number"],
        ["an alert switch that is not a boolean", { alertOnBatchJobFailures: "sometimes" }, "ml-platform:orchestrator.alertOnBatchJobFailures", "true or false"],
        ["an unknown key", { logRetention: 30 }, "ml-platform:orchestrator.logRetention", "a known key"],
    ] as const) {
        it(`rejects ${what} with the key path`, () => {
            const issues = issuesOf(withKey("dev", "ml-platform:orchestrator", value), "dev");
            expect(issues.map((i) => i.path)).to.deep.equal([path]);
            expect(issues[0].expected).to.contain(expected);
        });
    }
});

describe("metaflow client config", () => {
    it("reads the committed registry of every stack and no image", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            expect(parsePlatformConfig(stackConfig(stack), stack).metaflow, stack).to.deep.equal({ batchContainerImage: undefined, batchContainerRegistry: "public.ecr.aws/docker/library" });
        }
    });

    it("accepts an image with a registry, a tag and a digest", () => {
        const image = `123456789012.dkr.ecr.us-east-1.amazonaws.com/ml/base:2026.1@sha256:${"a".repeat(64)}`;
        expect(parsePlatformConfig(withKey("dev", "ml-platform:metaflow", { batchContainerImage: image }), "dev").metaflow.batchContainerImage).to.equal(image);
    });

    for (const [what, value, path] of [
        ["an image with upper-case letters", { batchContainerImage: "Python:3.11" }, "ml-platform:metaflow.batchContainerImage"],
        ["a registry given as a URL", { batchContainerRegistry: "https://public.ecr.aws" }, "ml-platform:metaflow.batchContainerRegistry"],
        ["an unknown key", { image: "python:3.11" }, "ml-platform:metaflow.image"],
    ] as const) {
        it(`rejects ${what} with the key path`, () => {
            expect(issuesOf(withKey("dev", "ml-platform:metaflow", value), "dev").map((i) => i.path)).to.deep.equal([path]);
        });
    }
});
