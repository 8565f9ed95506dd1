import { unknownCheckingProxy } from "@pulumi/policy";
import { expect } from "chai";
import { requiredTags } from "../policies/tagging";
import { dataProtection, s3Encryption, s3PublicAccessBlock, s3TlsOnly, s3Versioning, storagePolicies } from "../policies/storage";
import type { RecordedResource } from "../tools/mocks/runtime";
import { evaluate, fakeResource, messagesOf, providerResource } from "./helpers/policies";

const BUCKET_NAME = "store-bucket-1234567";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET_NAME}`;

/** A bucket with every companion the baseline asks for. */
function compliantBucket(): RecordedResource[] {
    const bucket = fakeResource("aws:s3/bucket:Bucket", "store-bucket", { bucket: BUCKET_NAME, forceDestroy: false }, { protect: true });
    const companion = (type: string, name: string, inputs: Record<string, unknown>) =>
        fakeResource(type, name, { bucket: BUCKET_NAME, ...inputs }, { propertyDependencies: { bucket: [bucket.urn] } });
    return [
        providerResource(),
        bucket,
        companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "store-encryption", {
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" }, bucketKeyEnabled: true }],
        }),
        companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "store-public-access", {
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }),
        companion("aws:s3/bucketPolicy:BucketPolicy", "store-policy", {
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
                ],
            }),
        }),
        companion("aws:s3/bucketVersioning:BucketVersioning", "store-versioning", { versioningConfiguration: { status: "Enabled" } }),
    ];
}

/** The compliant set with one resource changed (or removed, when `change` returns undefined). */
function changed(name: string, change: (r: RecordedResource) => RecordedResource | undefined): RecordedResource[] {
    return compliantBucket()
        .map((r) => (r.name === name ? change(r) : r))
        .filter((r): r is RecordedResource => r !== undefined);
}

function withInputs(r: RecordedResource, inputs: Record<string, unknown>): RecordedResource {
    return { ...r, inputs: { ...r.inputs, ...inputs } };
}

const BUCKET_URN = "urn:pulumi:dev::ml-platform::aws:s3/bucket:Bucket::store-bucket";
const prodConfig = { "data-protection": { requireProtect: true }, "s3-encryption": { requireKms: true } };

describe("storage policies", () => {
    it("compliant: a bucket with encryption, public access block, TLS-only policy and versioning", async () => {
        const result = await evaluate(storagePolicies, compliantBucket(), prodConfig);
        expect(result.violations).to.deep.equal([]);
    });

    describe("s3-encryption", () => {
        it("noncompliant: no encryption configuration", async () => {
            const result = await evaluate([s3Encryption], changed("store-encryption", () => undefined));
            expect(result.violations).to.have.length(1);
            expect(result.violations[0]).to.include({ policy: "s3-encryption", level: "mandatory", urn: BUCKET_URN });
            expect(result.violations[0].message).to.match(/'store-bucket' has no default encryption/);
        });

        it("noncompliant: SSE-S3 where KMS is required", async () => {
            const resources = changed("store-encryption", (r) => withInputs(r, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }));
            expect(messagesOf(await evaluate([s3Encryption], resources, { "s3-encryption": { requireKms: true } }), "s3-encryption")[0]).to.match(/requires SSE-KMS/);
            expect((await evaluate([s3Encryption], resources)).violations, "SSE-S3 is enough without requireKms").to.deep.equal([]);
        });

        it("compliant: SSE-S3 on an access-log target bucket even where KMS is required", async () => {
            const resources = changed("store-encryption", (r) => withInputs(r, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }));
            resources.push(fakeResource("aws:s3/bucketLogging:BucketLogging", "other-logging", { bucket: "other", targetBucket: BUCKET_NAME, targetPrefix: "logs/" }));
            expect((await evaluate([s3Encryption], resources, { "s3-encryption": { requireKms: true } })).violations).to.deep.equal([]);
        });

        it("matches companions by dependency while their bucket input is unknown (preview)", async () => {
            const unknown = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;
            const resources = compliantBucket().map((r) =>
                r.name === "store-bucket" || r.type.startsWith("pulumi:") ? r : { ...r, inputs: unknownCheckingProxy({ ...r.inputs, bucket: unknown }) },
            );
            expect((await evaluate(storagePolicies, resources, prodConfig)).violations).to.deep.equal([]);
        });

        it("matches companions by value when no dependency is recorded", async () => {
            const resources = compliantBucket().map((r) => ({ ...r, propertyDependencies: {} }));
            expect((await evaluate(storagePolicies, resources, prodConfig)).violations).to.deep.equal([]);
        });
    });

    describe("s3-public-access-block", () => {
        it("noncompliant: no public access block", async () => {
            const result = await evaluate([s3PublicAccessBlock], changed("store-public-access", () => undefined));
            expect(messagesOf(result, "s3-public-access-block")).to.have.length(1);
            expect(result.violations[0].urn).to.equal(BUCKET_URN);
        });

        it("noncompliant: one setting off", async () => {
            const result = await evaluate([s3PublicAccessBlock], changed("store-public-access", (r) => withInputs(r, { restrictPublicBuckets: false })));
            expect(messagesOf(result, "s3-public-access-block")[0]).to.match(/restrictPublicBuckets not true/);
        });
    });

    describe("s3-tls-only", () => {
        it("noncompliant: no bucket policy", async () => {
            const result = await evaluate([s3TlsOnly], changed("store-policy", () => undefined));
            expect(messagesOf(result, "s3-tls-only")[0]).to.match(/'store-bucket' accepts plain-HTTP requests/);
        });

        it("noncompliant: a policy that denies only the bucket, not its objects", async () => {
            const policy = { Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: BUCKET_ARN, Condition: { Bool: { "aws:SecureTransport": "false" } } }] };
            const result = await evaluate([s3TlsOnly], changed("store-policy", (r) => withInputs(r, { policy: JSON.stringify(policy) })));
            expect(messagesOf(result, "s3-tls-only")).to.have.length(1);
        });

        it("noncompliant: an Allow instead of a Deny", async () => {
            const policy = { Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: `${BUCKET_ARN}/*`, Condition: { Bool: { "aws:SecureTransport": "true" } } }] };
            const result = await evaluate([s3TlsOnly], changed("store-policy", (r) => withInputs(r, { policy: JSON.stringify(policy) })));
            expect(messagesOf(result, "s3-tls-only")).to.have.length(1);
        });
    });

    describe("s3-versioning", () => {
        it("noncompliant: versioning suspended", async () => {
            const result = await evaluate([s3Versioning], changed("store-versioning", (r) => withInputs(r, { versioningConfiguration: { status: "Suspended" } })));
            expect(messagesOf(result, "s3-versioning")[0]).to.match(/'store-bucket' is not versioned/);
        });
    });

    describe("data-protection", () => {
        it("noncompliant: an unprotected bucket where protection is required", async () => {
            const result = await evaluate([dataProtection], changed("store-bucket", (r) => ({ ...r, protect: false })), { "data-protection": { requireProtect: true } });
            expect(result.violations).to.have.length(1);
            expect(result.violations[0]).to.include({ policy: "data-protection", urn: BUCKET_URN });
            expect(result.violations[0].message).to.match(/protect: true/);
        });

        it("not applicable where the environment does not require protection", async () => {
            const result = await evaluate([dataProtection], changed("store-bucket", (r) => ({ ...r, protect: false })));
            expect(result.violations).to.deep.equal([]);
            expect(result.notApplicable.map((n) => n.policy)).to.deep.equal(["data-protection"]);
        });
    });
});

describe("required-tags", () => {
    const bucket = () => fakeResource("aws:s3/bucket:Bucket", "b", { bucket: "b" });

    it("compliant: tags supplied by the provider's defaultTags", async () => {
        expect((await evaluate([requiredTags], [providerResource(), bucket()])).violations).to.deep.equal([]);
    });

    it("compliant: tags set on the resource itself", async () => {
        const tags = { Project: "p", Environment: "dev", Owner: "o", CostCenter: "ML-1", ManagedBy: "pulumi" };
        const r = fakeResource("aws:s3/bucket:Bucket", "b", { tags }, { provider: null });
        expect((await evaluate([requiredTags], [r])).violations).to.deep.equal([]);
    });

    it("noncompliant: the provider lacks a required tag and the resource does not add it", async () => {
        const { Owner: _omit, ...tags } = { Project: "p", Environment: "dev", Owner: "o", CostCenter: "ML-1", ManagedBy: "pulumi" };
        void _omit;
        const result = await evaluate([requiredTags], [providerResource(tags), bucket()]);
        expect(result.violations).to.have.length(1);
        expect(result.violations[0].message).to.match(/'b' is missing the tag\(s\) Owner/);
    });

    it("noncompliant: an empty tag value", async () => {
        const r = fakeResource("aws:s3/bucket:Bucket", "b", { tags: { CostCenter: " " } });
        expect(messagesOf(await evaluate([requiredTags], [providerResource(), r]), "required-tags")[0]).to.match(/CostCenter/);
    });

    it("reads the required keys from policy config", async () => {
        const result = await evaluate([requiredTags], [providerResource(), bucket()], { "required-tags": { requiredTags: ["DataClassification"] } });
        expect(messagesOf(result, "required-tags")[0]).to.match(/DataClassification/);
    });

    it("not applicable to resources that take no tags", async () => {
        const policy = fakeResource("aws:s3/bucketPolicy:BucketPolicy", "p", { bucket: "b", policy: "{}" }, { provider: null });
        const result = await evaluate([requiredTags], [policy]);
        expect(result.violations).to.deep.equal([]);
        expect(result.notApplicable[0].reason).to.match(/takes no tags/);
    });

    it("runs at the level the policy config gives it", async () => {
        const r = fakeResource("aws:s3/bucket:Bucket", "b", {}, { provider: null });
        expect((await evaluate([requiredTags], [r], { "required-tags": "advisory" })).violations[0].level).to.equal("advisory");
        expect((await evaluate([requiredTags], [r], { all: "advisory", "required-tags": { enforcementLevel: "mandatory" } })).violations[0].level).to.equal("mandatory");
        expect((await evaluate([requiredTags], [r], { "required-tags": "disabled" })).violations).to.deep.equal([]);
    });
});
