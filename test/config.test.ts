import { expect } from "chai";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { REQUIRED_TAG_KEYS } from "../components/shared";
import { requiredTagsConfig } from "../policies/tagging";
import { ConfigError, parsePlatformConfig, PLATFORM_CONFIG_KEYS } from "../stacks/config";
import { REPO_ROOT } from "../tools/plan/plan";
import { issuesOf, platformConfig, stackConfig, withFields, withKey } from "./helpers/config";

describe("stack config", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`accepts the committed ${stack} stack`, () => {
            const config = platformConfig(stack);
            expect(config.environment).to.equal(stack);
            expect(config.region).to.equal("us-east-1");
        });
    }

    it("protects data in prod and lets staging keep data on delete", () => {
        const prod = platformConfig("prod");
        expect(prod.dataProtection).to.deep.equal({ protect: true, retainOnDelete: true, forceDestroy: false });
        expect(prod.dataLakeStack).to.equal("acme/a01-data-lake/prod");
    });

    it("declares every key the program reads in Pulumi.yaml, with a description", () => {
        const project = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { description?: string }> };
        for (const key of PLATFORM_CONFIG_KEYS) {
            expect(project.config[key], key).to.be.an("object");
            expect(project.config[key].description, key).to.be.a("string").and.not.be.empty;
        }
    });

    it("sets every key Pulumi.yaml declares without a default in every stack file, as the Pulumi CLI requires", () => {
        const project = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { default?: unknown }> };
        const required = Object.entries(project.config).filter(([, declaration]) => declaration.default === undefined).map(([key]) => key);
        expect(required).to.include("network");
        for (const stack of ["dev", "staging", "prod"]) {
            const file = yaml.load(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
            for (const key of required) expect(file.config, `${key} in Pulumi.${stack}.yaml`).to.have.property(`ml-platform:${key}`);
        }
    });

    it("tags with the same keys the required-tags policy checks by default", () => {
        const schemaDefault = requiredTagsConfig.schema.properties.requiredTags as { default: string[] };
        expect([...REQUIRED_TAG_KEYS]).to.deep.equal(schemaDefault.default);
    });

    describe("rejects bad values with the key path, the value and what is allowed", () => {
        const cases: { name: string; raw: () => Record<string, unknown>; path: string; value: unknown; expected: RegExp }[] = [
            { name: "unknown environment", raw: () => withKey("ml-platform:environment", "qa"), path: "ml-platform:environment", value: "qa", expected: /one of "dev", "staging", "prod"/ },
            { name: "negative retention", raw: () => withFields("ml-platform:artifactStore", { noncurrentVersionExpirationDays: -5 }), path: "ml-platform:artifactStore.noncurrentVersionExpirationDays", value: -5, expected: /whole number from 1 to 3650/ },
            { name: "wrong type", raw: () => withFields("ml-platform:artifactStore", { accessLogging: "yes" }), path: "ml-platform:artifactStore.accessLogging", value: "yes", expected: /true or false/ },
            { name: "malformed tag key", raw: () => withKey("ml-platform:extraTags", { "Team!": "ml" }), path: "ml-platform:extraTags.Team!", value: "Team!", expected: /AWS tag characters/ },
            { name: "tag overriding a platform tag", raw: () => withKey("ml-platform:extraTags", { Owner: "someone" }), path: "ml-platform:extraTags.Owner", value: "Owner", expected: /other than the platform's own/ },
            { name: "malformed cost centre", raw: () => withKey("ml-platform:costCenter", "1234"), path: "ml-platform:costCenter", value: "1234", expected: /cost centre code/ },
            { name: "unsupported region", raw: () => withKey("aws:region", "mars-north-1"), path: "aws:region", value: "mars-north-1", expected: /one of "us-east-1"/ },
            { name: "misspelt key", raw: () => withKey("ml-platform:artifactStor", {}), path: "ml-platform:artifactStor", value: {}, expected: /one of the known keys/ },
            { name: "unknown nested key", raw: () => withFields("ml-platform:artifactStore", { retention: 3 }), path: "ml-platform:artifactStore.retention", value: 3, expected: /a known key of ml-platform:artifactStore/ },
            { name: "archive before infrequent access", raw: () => withFields("ml-platform:artifactStore", { archiveAfterDays: 40 }), path: "ml-platform:artifactStore.archiveAfterDays", value: 40, expected: />= infrequentAccessAfterDays \+ 30/ },
            { name: "bad stack reference", raw: () => withKey("ml-platform:dataLakeStack", "a01-data-lake"), path: "ml-platform:dataLakeStack", value: "a01-data-lake", expected: /org\/project\/stack/ },
            { name: "missing owner", raw: () => withKey("ml-platform:owner", undefined), path: "ml-platform:owner", value: undefined, expected: /e-mail address or a lower-case team slug/ },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const issues = issuesOf(c.raw());
                const issue = issues.find((i) => i.path === c.path);
                expect(issue, `issues: ${JSON.stringify(issues)}`).to.not.equal(undefined);
                expect(issue!.value).to.deep.equal(c.value);
                expect(issue!.expected).to.match(c.expected);
            });
        }

        it("prod without protection", () => {
            const raw = stackConfig("prod");
            raw["ml-platform:dataProtection"] = { protect: false, retainOnDelete: true };
            const issue = issuesOf(raw, "prod").find((i) => i.path === "ml-platform:dataProtection.protect");
            expect(issue?.expected).to.match(/true in prod/);
        });

        it("forceDestroy together with protect", () => {
            const issue = issuesOf(withKey("ml-platform:dataProtection", { protect: true, retainOnDelete: false, forceDestroy: true })).find(
                (i) => i.path === "ml-platform:dataProtection.forceDestroy",
            );
            expect(issue?.expected).to.match(/false while protect is true/);
        });

        it("reports every problem at once, in one message", () => {
            const raw = { ...withKey("ml-platform:environment", "qa"), "ml-platform:costCenter": "x" };
            expect(() => parsePlatformConfig(raw, "dev")).to.throw(ConfigError, /ml-platform:environment: got "qa".*\n.*ml-platform:costCenter: got "x"/s);
        });
    });
});
