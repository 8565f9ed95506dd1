import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { allPolicies } from "../policies/all";
import { main } from "../tools/plan/cli";
import { REPO_ROOT, runPlan } from "../tools/plan/plan";
import { jsonReport } from "../tools/plan/report-json";
import { markdownReport } from "../tools/plan/report-markdown";
import { sarifReport } from "../tools/plan/report-sarif";
import { textReport } from "../tools/plan/report-text";
import { planOf } from "./helpers/stacks";

/** Runs the CLI in-process, capturing what it prints. */
async function runCli(argv: string[], root?: string): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const { log, error } = console;
    console.log = (...a: unknown[]) => void out.push(a.join(" "));
    console.error = (...a: unknown[]) => void err.push(a.join(" "));
    try {
        const code = await main(argv, root);
        return { code, out: out.join("\n"), err: err.join("\n") };
    } finally {
        console.log = log;
        console.error = error;
    }
}

/** A copy of the project's stack files in a temp folder, with edits, for exit-code cases. */
function projectCopy(edit: (dir: string) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-plan-"));
    for (const f of fs.readdirSync(REPO_ROOT).filter((f) => /^Pulumi(\..+)?\.yaml$/.test(f))) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
    fs.cpSync(path.join(REPO_ROOT, "policies", "config"), path.join(dir, "policies", "config"), { recursive: true });
    fs.cpSync(path.join(REPO_ROOT, "fixtures"), path.join(dir, "fixtures"), { recursive: true });
    edit(dir);
    return dir;
}

describe("offline plan", () => {
    describe("exit codes", () => {
        it("0 for the dev stack, with the artifact store and policy verdicts in the summary", async () => {
            const { code, out } = await runCli(["--stack", "dev"]);
            expect(code).to.equal(0);
            expect(out).to.match(/aws:s3\/bucket:Bucket/);
            expect(out).to.match(/Policies: \d+ evaluated, 0 mandatory/);
            expect(out).to.match(/OK: no mandatory violation/);
        });

        it("1 when a mandatory policy is violated", async () => {
            const root = projectCopy((dir) => {
                const file = path.join(dir, "policies", "config", "dev.json");
                const config = JSON.parse(fs.readFileSync(file, "utf8"));
                config["required-tags"] = { enforcementLevel: "mandatory", requiredTags: ["Project", "DataClassification"] };
                fs.writeFileSync(file, JSON.stringify(config));
            });
            const { code, out } = await runCli(["--stack", "dev"], root);
            expect(code).to.equal(1);
            expect(out).to.match(/\[mandatory\] required-tags/);
            expect(out).to.match(/missing the tag\(s\) DataClassification/);
        });

        it("2 with the key path for a bad config value, before the program runs", async () => {
            const root = projectCopy((dir) => {
                const file = path.join(dir, "Pulumi.dev.yaml");
                fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/noncurrentVersionExpirationDays: \d+/, "noncurrentVersionExpirationDays: -5"));
            });
            const { code, out, err } = await runCli(["--stack", "dev"], root);
            expect(code).to.equal(2);
            expect(out).to.equal("");
            expect(err).to.match(/ml-platform:artifactStore\.noncurrentVersionExpirationDays: got -5; expected a whole number from 1 to 3650/);
            expect(err).to.not.match(/\n\s+at /, "no stack trace");
        });

        it("2 for an unknown stack, naming the known ones", async () => {
            const { code, err } = await runCli(["--stack", "qa"]);
            expect(code).to.equal(2);
            expect(err).to.match(/unknown stack 'qa'.*dev, prod, staging/);
        });

        it("2 for a stack file that is not YAML", async () => {
            const root = projectCopy((dir) => fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: [unclosed"));
            const { code, err } = await runCli(["--stack", "dev"], root);
            expect(code).to.equal(2);
            expect(err).to.match(/Pulumi\.dev\.yaml is not valid YAML/);
        });

        it("2 for usage errors", async () => {
            expect((await runCli([])).code).to.equal(2);
            expect((await runCli(["--stack"])).err).to.match(/--stack needs a value/);
            expect((await runCli(["--stack", "dev", "--verbose"])).err).to.match(/unknown argument '--verbose'/);
        });

        it("writes the JSON, Markdown and SARIF files it is asked for", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-reports-"));
            const files = { json: path.join(dir, "plan.json"), markdown: path.join(dir, "plan.md"), sarif: path.join(dir, "plan.sarif") };
            const { code } = await runCli(["--stack", "dev", "--json", files.json, "--markdown", files.markdown, `--sarif=${files.sarif}`]);
            expect(code).to.equal(0);
            expect(JSON.parse(fs.readFileSync(files.json, "utf8")).stack).to.equal("dev");
            expect(fs.readFileSync(files.markdown, "utf8")).to.match(/^## Offline plan: `ml-platform\/dev`/);
            expect(JSON.parse(fs.readFileSync(files.sarif, "utf8")).version).to.equal("2.1.0");
        });
    });

    describe("JSON report (contract 2)", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            it(`${stack}: has the contract's fields with the contract's types`, async () => {
                const report = jsonReport(await planOf(stack)) as any;
                expect(report.project).to.equal("ml-platform");
                expect(report.stack).to.equal(stack);
                expect(report.resources).to.be.an("array").that.is.not.empty;
                for (const r of report.resources) {
                    expect(r.urn).to.match(new RegExp(`^urn:pulumi:${stack}::ml-platform::`));
                    expect(r.type).to.be.a("string");
                    expect(r.name).to.be.a("string");
                    expect(r.parent === null || typeof r.parent === "string").to.equal(true);
                    expect(r.custom).to.be.a("boolean");
                    expect(r.provider === null || typeof r.provider === "string").to.equal(true);
                    expect(r.inputs).to.be.an("object");
                    expect(r.protect).to.be.a("boolean");
                }
                const urns = new Set(report.resources.map((r: any) => r.urn));
                for (const r of report.resources) {
                    if (r.parent) expect(urns.has(r.parent), `parent of ${r.urn}`).to.equal(true);
                    if (r.provider) expect(urns.has(r.provider), `provider of ${r.urn}`).to.equal(true);
                }
                expect(report.outputs.metaflowConfig.METAFLOW_DATASTORE_SYSROOT_S3).to.match(/^s3:\/\/.+\/metaflow$/);
                expect(report.violations).to.be.an("array");
                for (const v of report.violations) {
                    expect(v.level).to.be.oneOf(["mandatory", "advisory"]);
                    expect(v.policy).to.be.a("string");
                    expect(v.message).to.be.a("string");
                }
                expect(report.cost.currency).to.equal("USD");
                expect(report.cost.monthlyIdle).to.be.a("number");
                expect(report.cost.monthlyMax).to.be.at.least(report.cost.monthlyIdle);
                const sum = report.cost.items.reduce((s: number, i: any) => s + i.monthlyMax, 0);
                expect(report.cost.monthlyMax).to.be.closeTo(sum, 0.05);
                for (const i of report.cost.items) {
                    expect(urns.has(i.urn), i.urn).to.equal(true);
                    expect(i.basis).to.be.a("string").and.not.be.empty;
                }
            });
        }

        it("protects prod's artifact bucket and key", async () => {
            const report = jsonReport(await planOf("prod")) as any;
            const stateful = report.resources.filter((r: any) => r.type === "aws:s3/bucket:Bucket" || r.type === "aws:kms/key:Key");
            expect(stateful).to.not.be.empty;
            for (const r of stateful) expect(r.protect, r.urn).to.equal(true);
        });

        it("shows secret values as [secret] in every report", async () => {
            const plan = await planOf("prod");
            const json = jsonReport(plan) as any;
            expect(json.outputs.metaflowConfig.METAFLOW_SERVICE_AUTH_KEY).to.equal("[secret]");
            const apiKey = plan.resources.find((r) => r.type === "aws:apigateway/apiKey:ApiKey");
            expect(apiKey, "prod has an API key").to.not.equal(undefined);
            // The mock's generated key value must not leak through any report.
            for (const text of [JSON.stringify(json), markdownReport(plan), JSON.stringify(sarifReport(plan)), textReport(plan)]) {
                expect(text).to.not.match(/mock-api-key-/);
            }
            const parameter = json.resources.find((r: any) => r.type === "aws:ssm/parameter:Parameter" && r.inputs.type === "SecureString");
            expect(parameter.inputs.value).to.equal("[secret]");
        });
    });

    describe("SARIF report", () => {
        it("is SARIF 2.1.0 with one rule per policy and results that point at them", async () => {
            const root = projectCopy((dir) => {
                const file = path.join(dir, "policies", "config", "dev.json");
                const config = JSON.parse(fs.readFileSync(file, "utf8"));
                config["required-tags"] = { enforcementLevel: "mandatory", requiredTags: ["DataClassification"] };
                fs.writeFileSync(file, JSON.stringify(config));
            });
            const plan = await runPlan("dev", root);
            const sarif = sarifReport(plan) as any;
            expect(sarif.version).to.equal("2.1.0");
            expect(sarif.$schema).to.match(/sarif-2\.1\.0/);
            expect(sarif.runs).to.have.length(1);
            const rules = sarif.runs[0].tool.driver.rules;
            expect(sarif.runs[0].tool.driver.name).to.be.a("string");
            expect(new Set(rules.map((r: any) => r.id)).size).to.equal(rules.length);
            expect(rules.map((r: any) => r.id)).to.include.members(Object.keys(plan.policyLevels));
            // Every rule carries its policy's own description, whether or not it has a result.
            expect(rules.map((r: any) => [r.id, r.shortDescription.text])).to.have.deep.members(allPolicies.map((p) => [p.name, p.description]));
            for (const r of rules) expect(r.defaultConfiguration.level, r.id).to.equal(plan.policyLevels[r.id] === "mandatory" ? "error" : "warning");
            const results = sarif.runs[0].results;
            expect(results.length).to.equal(plan.violations.length).and.to.be.greaterThan(0);
            for (const r of results) {
                expect(rules[r.ruleIndex].id).to.equal(r.ruleId);
                expect(r.level).to.be.oneOf(["error", "warning"]);
                expect(r.message.text).to.be.a("string").and.not.be.empty;
                expect(r.locations[0].physicalLocation.artifactLocation.uri).to.equal("Pulumi.dev.yaml");
                expect(r.locations[0].physicalLocation.region.startLine).to.be.at.least(1);
                expect(r.locations[0].logicalLocations[0].fullyQualifiedName).to.match(/^urn:pulumi:dev::/);
                expect(Object.values(r.partialFingerprints)[0]).to.match(/^[0-9a-f]{64}$/);
            }
            expect(results.filter((r: any) => r.ruleId === "required-tags").every((r: any) => r.level === "error")).to.equal(true);
        });
    });

    describe("Markdown report", () => {
        it("summarises verdicts, resources and cost for a pull-request comment", async () => {
            const md = markdownReport(await planOf("dev"));
            expect(md).to.match(/^## Offline plan: `ml-platform\/dev`/);
            expect(md).to.match(/No mandatory policy violation/);
            expect(md).to.match(/\| Component \| Type \| Count \|/);
            expect(md).to.match(/\*\*Total\*\*/);
            expect(md).to.match(/Not visible offline/);
        });
    });

    describe("Not visible offline", () => {
        it("names Container Insights, which the estimate does not price, where a cluster has it on", async () => {
            const insights = (stack: string) => planOf(stack).then((p) => p.blindSpots.filter((n) => n.includes("Container Insights")));
            expect(await insights("prod")).to.deep.equal([
                "CloudWatch Container Insights on ECS cluster 'mlp-prod-metadata-cluster' bills its metrics and performance log events by use; it is not in the estimate.",
            ]);
            expect(await insights("dev"), "containerInsights: false in dev").to.deep.equal([]);
        });

        it("names the policies a first preview cannot run, in the text and Markdown reports", async () => {
            const plan = await planOf("prod");
            const note = plan.blindSpots.find((n) => n.startsWith("In a first `pulumi preview`"))!;
            for (const s of plan.skippedInFirstPreview) expect(note).to.include(`${s.policy} [${s.level}]`);
            expect(textReport(plan)).to.include(note);
            expect(markdownReport(plan)).to.include(note);
        });
    });
});
