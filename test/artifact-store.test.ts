import { expect } from "chai";
import { ArtifactStore } from "../components/artifact-store";
import { one, ofType, parseJson, record, testProvider, type RecordedResource } from "./helpers/mocks";
import { resolve } from "./helpers/outputs";

const LIFECYCLE = { infrequentAccessAfterDays: 30, archiveAfterDays: 120, noncurrentVersionExpirationDays: 45, abortIncompleteUploadDays: 5 };

describe("ArtifactStore", () => {
    describe("with defaults (dev-like)", () => {
        let resources: RecordedResource[];
        let outputs: { bucketName: string; datastoreRoot: string; dataToolsRoot: string; kmsKeyArn: string };

        before(async () => {
            const run = await record(async () => {
                const store = new ArtifactStore("store", LIFECYCLE, { providers: [testProvider()] });
                return {
                    bucketName: await resolve(store.bucketName),
                    datastoreRoot: await resolve(store.datastoreRoot),
                    dataToolsRoot: await resolve(store.dataToolsRoot),
                    kmsKeyArn: await resolve(store.kmsKeyArn),
                };
            });
            resources = run.resources;
            outputs = run.outputs;
        });

        it("creates a customer KMS key with rotation", () => {
            const key = one(resources, "aws:kms/key:Key", "store-key");
            expect(key.inputs.enableKeyRotation).to.equal(true);
            expect(key.inputs.deletionWindowInDays).to.equal(30);
        });

        it("encrypts the bucket with that key and an S3 bucket key", () => {
            const key = one(resources, "aws:kms/key:Key", "store-key");
            const sse = one(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "store-encryption");
            expect(sse.inputs.bucket).to.equal(outputs.bucketName);
            expect(sse.inputs.rules).to.have.length(1);
            expect(sse.inputs.rules[0].applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: key.state.arn });
            expect(sse.inputs.rules[0].bucketKeyEnabled).to.equal(true);
        });

        it("versions the bucket", () => {
            const v = one(resources, "aws:s3/bucketVersioning:BucketVersioning", "store-versioning");
            expect(v.inputs.bucket).to.equal(outputs.bucketName);
            expect(v.inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
        });

        it("tiers objects, expires noncurrent versions and aborts incomplete uploads", () => {
            const rules = one(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "store-lifecycle").inputs.rules as any[];
            const byId = Object.fromEntries(rules.map((r) => [r.id, r]));
            expect(rules.every((r) => r.status === "Enabled")).to.equal(true);
            expect(byId["tier-current-objects"].transitions).to.deep.equal([
                { days: 30, storageClass: "STANDARD_IA" },
                { days: 120, storageClass: "GLACIER_IR" },
            ]);
            expect(byId["expire-noncurrent-versions"].noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 45 });
            expect(byId["expire-noncurrent-versions"].noncurrentVersionTransitions).to.deep.equal([{ noncurrentDays: 30, storageClass: "STANDARD_IA" }]);
            expect(byId["abort-incomplete-uploads"].abortIncompleteMultipartUpload).to.deep.equal({ daysAfterInitiation: 5 });
        });

        it("blocks all public access and enforces bucket-owner ownership", () => {
            const pab = one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "store-public-access");
            for (const setting of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
                expect(pab.inputs[setting], setting).to.equal(true);
            }
            const own = one(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "store-ownership");
            expect(own.inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
        });

        it("denies every non-TLS request in the bucket policy", () => {
            const bucket = one(resources, "aws:s3/bucket:Bucket", "store-bucket");
            const policy = one(resources, "aws:s3/bucketPolicy:BucketPolicy", "store-policy");
            const doc = parseJson(policy.inputs.policy);
            expect(doc.Statement).to.deep.equal([
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]);
            const pab = one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "store-public-access");
            expect(policy.dependencies).to.include(pab.urn);
        });

        it("exposes the Metaflow datastore and data tools roots", () => {
            expect(outputs.datastoreRoot).to.equal(`s3://${outputs.bucketName}/metaflow`);
            expect(outputs.dataToolsRoot).to.equal(`s3://${outputs.bucketName}/data`);
            expect(outputs.kmsKeyArn).to.match(/^arn:aws:kms:us-east-1:\d{12}:key\//);
        });

        it("is unprotected, not force-destroyable and unlogged by default", () => {
            const bucket = one(resources, "aws:s3/bucket:Bucket", "store-bucket");
            expect(bucket.protect).to.equal(false);
            expect(bucket.inputs.forceDestroy).to.equal(false);
            expect(ofType(resources, "aws:s3/bucketLogging:BucketLogging")).to.have.length(0);
        });

        it("parents every child to the component and inherits the tagged provider", () => {
            const component = one(resources, "ml-platform:storage:ArtifactStore", "store");
            const children = resources.filter((r) => r.custom && r.type.startsWith("aws:"));
            expect(children.length).to.be.greaterThan(5);
            for (const child of children) {
                expect(child.parent, child.name).to.equal(component.urn);
                expect(child.provider, child.name).to.match(/pulumi:providers:aws::aws$/);
            }
        });
    });

    describe("protected, with access logging (prod-like)", () => {
        let resources: RecordedResource[];

        before(async () => {
            resources = (
                await record(() => {
                    new ArtifactStore("store", { ...LIFECYCLE, accessLogging: true, accessLogRetentionDays: 365, protect: true, retainOnDelete: true }, { providers: [testProvider()] });
                })
            ).resources;
        });

        it("protects and retains the bucket and key", () => {
            for (const [type, name] of [
                ["aws:s3/bucket:Bucket", "store-bucket"],
                ["aws:kms/key:Key", "store-key"],
                ["aws:s3/bucket:Bucket", "store-access-logs"],
            ]) {
                const r = one(resources, type, name);
                expect(r.protect, name).to.equal(true);
                expect(r.retainOnDelete, name).to.equal(true);
            }
        });

        it("logs access to a separate SSE-S3 bucket that only S3 log delivery may write", () => {
            const bucket = one(resources, "aws:s3/bucket:Bucket", "store-bucket");
            const logs = one(resources, "aws:s3/bucket:Bucket", "store-access-logs");
            const logging = one(resources, "aws:s3/bucketLogging:BucketLogging", "store-logging");
            expect(logging.inputs).to.include({ bucket: bucket.state.bucket, targetBucket: logs.state.bucket, targetPrefix: "s3-access/" });
            const sse = one(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "store-access-logs-encryption");
            expect(sse.inputs.rules[0].applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "AES256" });
            const doc = parseJson(one(resources, "aws:s3/bucketPolicy:BucketPolicy", "store-access-logs-policy").inputs.policy);
            const delivery = doc.Statement.find((s: any) => s.Sid === "AllowS3AccessLogDelivery");
            expect(delivery).to.deep.equal({
                Sid: "AllowS3AccessLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${logs.state.arn}/s3-access/*`,
                Condition: { ArnLike: { "aws:SourceArn": bucket.state.arn } },
            });
            const rules = one(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "store-access-logs-lifecycle").inputs.rules as any[];
            expect(rules.find((r) => r.id === "expire-access-logs").expiration).to.deep.equal({ days: 365 });
        });
    });

    it("refuses forceDestroy on a protected store", async () => {
        let error: unknown;
        try {
            await record(() => {
                new ArtifactStore("store", { ...LIFECYCLE, protect: true, forceDestroy: true }, { providers: [testProvider()] });
            });
        } catch (e) {
            error = e;
        }
        expect(String(error)).to.match(/forceDestroy cannot be combined with protect/);
    });
});
