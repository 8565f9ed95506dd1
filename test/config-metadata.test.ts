import { expect } from "chai";
import { parsePlatformConfig, type ConfigIssue } from "../stacks/config";
import { issuesOf, pathsOf, platformConfig, rejectedPaths, stackConfig, withBlock } from "./helpers/config";

const KEY = "ml-platform:metadata";

/** The issues of a committed stack whose metadata block `change` edits. */
function rejected(stack: string, change: (metadata: any) => void): ConfigIssue[] {
    return issuesOf(withBlock(KEY, change, stack), stack);
}

const PUBLIC_UI = {
    enabled: true,
    public: true,
    staticImage: "public.ecr.aws/outerbounds/metaflow_ui:v1.2.4",
    tls: { certificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/5a1c0f3e-2b7d-4c89-9e10-7f3a2b4c6d01", domainName: "metaflow-ui.dev.ml.acme.example" },
    allowedCidrs: ["198.51.100.0/24"],
    publicSubnetIds: ["subnet-0a0b1111", "subnet-0a0b2222"],
    auth: { type: "cognito", userPoolArn: "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_abc", userPoolClientId: "client123", userPoolDomain: "acme-ml" },
};

describe("metadata config", () => {
    it("reads the committed dev stack: one small spot task, a single-AZ db.t4g.micro, no gateway, no UI", () => {
        const md = platformConfig("dev").metadata;
        expect(md).to.deep.include({ cpu: 256, memory: 512, desiredCount: 1, fargateSpot: true });
        expect(md.image).to.match(/^public\.ecr\.aws\/outerbounds\/metaflow_metadata_service:\d+\.\d+\.\d+$/);
        expect(md.database).to.deep.include({ engine: "postgres", instanceClass: "db.t4g.micro", multiAz: false, deletionProtection: false });
        expect(md.apiGateway).to.equal(undefined);
        expect(md.ui).to.equal(undefined);
    });

    it("reads the committed prod stack: two tasks, multi-AZ protected Aurora, CIDR-limited API Gateway, internal HTTPS UI", () => {
        const md = platformConfig("prod").metadata;
        expect(md.desiredCount).to.equal(2);
        expect(md.database).to.deep.include({ engine: "aurora-postgresql", multiAz: true, deletionProtection: true, finalSnapshot: true });
        expect(md.database.serverless).to.deep.include({ minCapacity: 1, maxCapacity: 16 });
        expect(md.apiGateway).to.deep.include({ endpointType: "REGIONAL" });
        expect(md.apiGateway!.allowedCidrs).to.not.be.empty;
        expect(md.ui).to.deep.include({ public: false });
        expect(md.ui!.tls.certificateArn).to.match(/^arn:aws:acm:/);
        expect(md.tls?.domainName).to.equal("metaflow.prod.ml.acme.example");
    });

    it("reads staging as prod's shape at a smaller size", () => {
        const md = platformConfig("staging").metadata;
        expect(md.database).to.deep.include({ engine: "aurora-postgresql", multiAz: false });
        expect(md.apiGateway?.endpointType).to.equal("REGIONAL");
        expect(md.ui?.public).to.equal(false);
    });

    it("accepts a public UI with sign-in, an allow-list and public subnets, and Aurora that scales to zero", () => {
        const raw = withBlock(KEY, (m) => {
            m.ui = PUBLIC_UI;
            m.database = { engine: "aurora-postgresql", version: "16.4", serverless: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 600 }, backupRetentionDays: 1 };
        });
        const md = parsePlatformConfig(raw, "dev").metadata;
        expect(md.ui?.auth).to.deep.include({ type: "cognito", userPoolDomain: "acme-ml" });
        expect(md.database.serverless).to.deep.equal({ minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 600 });
    });

    describe("rejects with the key path", () => {
        const cases: [string, string, (m: any) => void, string][] = [
            ["a database version that does not exist", "dev", (m) => (m.database.version = "16.99"), `${KEY}.database.version`],
            ["a major version outside standard support", "dev", (m) => (m.database.version = "13.20"), `${KEY}.database.version`],
            ["a version without its minor", "dev", (m) => (m.database.version = "17"), `${KEY}.database.version`],
            ["an instance class that does not exist", "dev", (m) => (m.database.instanceClass = "db.t4g.mega"), `${KEY}.database.instanceClass`],
            ["an instance class Aurora does not offer", "prod", (m) => { delete m.database.serverless; m.database.instanceClass = "db.t4g.micro"; }, `${KEY}.database.instanceClass`],
            ["Aurora with both a class and serverless capacity", "prod", (m) => (m.database.instanceClass = "db.r7g.large"), `${KEY}.database.serverless`],
            ["serverless capacity on RDS for PostgreSQL", "dev", (m) => (m.database.serverless = { minCapacity: 0.5, maxCapacity: 2 }), `${KEY}.database.serverless`],
            ["storage on Aurora", "prod", (m) => (m.database.storageGb = 100), `${KEY}.database.storageGb`],
            ["scaling to zero on a version that cannot pause", "prod", (m) => { m.database.version = "16.2"; m.database.serverless.minCapacity = 0; }, `${KEY}.database.serverless.minCapacity`],
            ["capacity off the 0.5 ACU grid", "prod", (m) => (m.database.serverless.maxCapacity = 3.3), `${KEY}.database.serverless.maxCapacity`],
            ["backups kept longer than RDS allows", "dev", (m) => (m.database.backupRetentionDays = 40), `${KEY}.database.backupRetentionDays`],
            ["an unknown database key", "dev", (m) => (m.database.size = "large"), `${KEY}.database.size`],
            ["a memory size Fargate does not pair with the CPU", "dev", (m) => (m.memory = 4096), `${KEY}.memory`],
            ["a CPU value Fargate does not offer", "dev", (m) => (m.cpu = 300), `${KEY}.cpu`],
            ["an image on a moving tag", "dev", (m) => (m.image = "public.ecr.aws/outerbounds/metaflow_metadata_service:latest"), `${KEY}.image`],
            ["an image without a tag", "dev", (m) => (m.image = "public.ecr.aws/outerbounds/metaflow_metadata_service"), `${KEY}.image`],
            ["a log retention CloudWatch does not offer", "dev", (m) => (m.logRetentionDays = 10), `${KEY}.logRetentionDays`],
            ["a public UI without sign-in", "dev", (m) => (m.ui = { ...PUBLIC_UI, auth: undefined }), `${KEY}.ui.auth`],
            ["a public UI without an allow-list", "dev", (m) => (m.ui = { ...PUBLIC_UI, allowedCidrs: [] }), `${KEY}.ui.allowedCidrs`],
            ["a public UI open to the whole internet", "dev", (m) => (m.ui = { ...PUBLIC_UI, allowedCidrs: ["0.0.0.0/0"] }), `${KEY}.ui.allowedCidrs[0]`],
            ["a public UI without public subnets", "dev", (m) => (m.ui = { ...PUBLIC_UI, publicSubnetIds: [] }), `${KEY}.ui.publicSubnetIds`],
            ["a UI without a certificate", "dev", (m) => (m.ui = { ...PUBLIC_UI, public: false, auth: undefined, allowedCidrs: [], publicSubnetIds: [], tls: undefined }), `${KEY}.ui.tls`],
            ["a UI certificate that is not an ACM ARN", "prod", (m) => (m.ui.tls.certificateArn = "arn:aws:iam::111122223333:server-certificate/ui"), `${KEY}.ui.tls.certificateArn`],
            ["an unknown sign-in type", "dev", (m) => (m.ui = { ...PUBLIC_UI, auth: { type: "saml" } }), `${KEY}.ui.auth.type`],
            ["a PRIVATE API without VPC endpoints", "prod", (m) => (m.apiGateway.endpointType = "PRIVATE"), `${KEY}.apiGateway.vpcEndpointIds`],
            ["a REGIONAL API open to everyone in prod", "prod", (m) => (m.apiGateway.allowedCidrs = []), `${KEY}.apiGateway.allowedCidrs`],
            ["a malformed CIDR", "prod", (m) => (m.apiGateway.allowedCidrs = ["203.0.113.0/33"]), `${KEY}.apiGateway.allowedCidrs[0]`],
            ["a burst below the steady rate", "prod", (m) => (m.apiGateway.burstLimit = 10), `${KEY}.apiGateway.burstLimit`],
            ["one task in prod", "prod", (m) => (m.desiredCount = 1), `${KEY}.desiredCount`],
            ["a single-AZ database in prod", "prod", (m) => (m.database.multiAz = false), `${KEY}.database.multiAz`],
            ["no deletion protection in prod", "prod", (m) => (m.database.deletionProtection = false), `${KEY}.database.deletionProtection`],
            ["no final snapshot in prod", "prod", (m) => (m.database.finalSnapshot = false), `${KEY}.database.finalSnapshot`],
        ];
        for (const [what, stack, change, path] of cases) {
            it(what, () => {
                const issues = rejected(stack, change);
                expect(pathsOf(issues), JSON.stringify(issues)).to.include(path);
            });
        }

        it("says what is allowed for a version that does not exist", () => {
            const [issue] = rejected("dev", (m) => (m.database.version = "16.99"));
            expect(issue).to.deep.include({ path: `${KEY}.database.version`, value: "16.99" });
            expect(issue.expected).to.contain("17.6").and.contain("16.4");
        });

        it("requires the metadata block", () => {
            const raw = stackConfig("dev");
            delete raw[KEY];
            expect(rejectedPaths(raw)).to.include(KEY);
        });
    });
});
