import { expect } from "chai";
import { parsePlatformConfig } from "../stacks/config";
import { issuesOf, platformConfig, rejectedPaths, withKey } from "./helpers/config";

describe("orchestrator config", () => {
    it("reads the committed stacks: short quiet logs in dev, a year of logs and every failure alerting in prod", () => {
        expect(platformConfig("dev").orchestrator).to.deep.equal({ executionLogRetentionDays: 14, alertOnBatchJobFailures: false });
        expect(platformConfig("staging").orchestrator).to.deep.equal({ executionLogRetentionDays: 30, alertOnBatchJobFailures: true });
        expect(platformConfig("prod").orchestrator).to.deep.equal({ executionLogRetentionDays: 365, alertOnBatchJobFailures: true });
    });

    it("defaults by environment when the key is absent", () => {
        expect(parsePlatformConfig(withKey("ml-platform:orchestrator", undefined), "dev").orchestrator).to.deep.equal({ executionLogRetentionDays: 30, alertOnBatchJobFailures: false });
        expect(parsePlatformConfig(withKey("ml-platform:orchestrator", undefined, "prod"), "prod").orchestrator).to.deep.equal({ executionLogRetentionDays: 365, alertOnBatchJobFailures: true });
    });

    for (const [what, value, path, expected] of [
        ["a retention CloudWatch Logs does not offer", { executionLogRetentionDays: 45 }, "ml-platform:orchestrator.executionLogRetentionDays", "retention periods CloudWatch Logs accepts"],
        ["a retention that is not a number", { executionLogRetentionDays: "forever" }, "ml-platform:orchestrator.executionLogRetentionDays", "a whole number"],
        ["an alert switch that is not a boolean", { alertOnBatchJobFailures: "sometimes" }, "ml-platform:orchestrator.alertOnBatchJobFailures", "true or false"],
        ["an unknown key", { logRetention: 30 }, "ml-platform:orchestrator.logRetention", "a known key"],
    ] as const) {
        it(`rejects ${what} with the key path`, () => {
            const issues = issuesOf(withKey("ml-platform:orchestrator", value), "dev");
            expect(issues.map((i) => i.path)).to.deep.equal([path]);
            expect(issues[0].expected).to.contain(expected);
        });
    }
});

describe("metaflow client config", () => {
    it("reads the committed registry of every stack and no image", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            expect(platformConfig(stack).metaflow, stack).to.deep.equal({ batchContainerImage: undefined, batchContainerRegistry: "public.ecr.aws/docker/library" });
        }
    });

    it("accepts an image with a registry, a tag and a digest", () => {
        const image = `123456789012.dkr.ecr.us-east-1.amazonaws.com/ml/base:2026.1@sha256:${"a".repeat(64)}`;
        expect(parsePlatformConfig(withKey("ml-platform:metaflow", { batchContainerImage: image }), "dev").metaflow.batchContainerImage).to.equal(image);
    });

    for (const [what, value, path] of [
        ["an image with upper-case letters", { batchContainerImage: "Python:3.11" }, "ml-platform:metaflow.batchContainerImage"],
        ["a registry given as a URL", { batchContainerRegistry: "https://public.ecr.aws" }, "ml-platform:metaflow.batchContainerRegistry"],
        ["an unknown key", { image: "python:3.11" }, "ml-platform:metaflow.image"],
    ] as const) {
        it(`rejects ${what} with the key path`, () => {
            expect(rejectedPaths(withKey("ml-platform:metaflow", value))).to.deep.equal([path]);
        });
    }
});
