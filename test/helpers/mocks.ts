/**
 * Recording mocks for component and stack tests: run a program, get every resource it registered
 * with its inputs and options.
 */
import * as aws from "@pulumi/aws";
import { runUnderMocks, type MockRunResult, type RecordedResource, type StackReferenceFixture } from "../../tools/mocks/runtime";

export type { RecordedResource } from "../../tools/mocks/runtime";

export interface RecordOptions {
    readonly stack?: string;
    readonly config?: Record<string, string>;
    readonly stackReferences?: Readonly<Record<string, StackReferenceFixture>>;
}

/** The tags a test provider carries, as the stack's provider would. */
export const TEST_TAGS = { Project: "ml-platform", Environment: "dev", Owner: "ml-platform", CostCenter: "ML-1234", ManagedBy: "pulumi" };

/** Runs `body` under mocks and returns the recorded resources and what it returned. */
export function record<T>(body: () => Promise<T> | T, opts: RecordOptions = {}): Promise<MockRunResult<T>> {
    return runUnderMocks(
        {
            project: "ml-platform",
            stack: opts.stack ?? "dev",
            config: { "aws:region": "us-east-1", ...(opts.config ?? {}) },
            stackReferences: opts.stackReferences,
        },
        body,
    );
}

/** An explicit provider with the platform's default tags, as `stacks/` creates it. */
export function testProvider(): aws.Provider {
    return new aws.Provider("aws", { region: "us-east-1", defaultTags: { tags: TEST_TAGS } });
}

/** All recorded resources of one type. */
export function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

/** The single recorded resource with this type and name; fails loudly when absent or ambiguous. */
export function one(resources: readonly RecordedResource[], type: string, name: string): RecordedResource {
    const found = resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        const names = ofType(resources, type).map((r) => r.name);
        throw new Error(`expected one ${type} named '${name}', found ${found.length} (of this type: ${names.join(", ") || "none"})`);
    }
    return found[0];
}

/** Parses a JSON-string input (policy documents, container definitions, dashboard bodies). */
export function parseJson<T = any>(value: unknown): T {
    if (typeof value !== "string") throw new Error(`expected a JSON string, got ${typeof value}`);
    return JSON.parse(value) as T;
}
