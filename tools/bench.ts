/**
 * How the offline plan grows with the organisation: plans a stack with N workspace users and M
 * drift-monitored models (pipelines), each run in a fresh Node process from transpiled code, and
 * prints resources, policy verdicts, wall time and peak memory. Not a test: it measures.
 *
 *   npm run bench                      # prod with 0, 50, 100 and 200 users
 *   npm run bench -- --stack dev --users 0,20,40
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

interface Sample {
    users: number;
    models: number;
    resources: number;
    mandatory: number;
    advisory: number;
    seconds: number;
    maxRssMiB: number;
    monthlyMax: number;
}

function arg(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** A copy of the project's stack files with `users` engineers and `models` drift-monitored models. */
function scaledProject(stack: string, users: number, models: number): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-bench-"));
    for (const f of fs.readdirSync(ROOT).filter((f) => /^Pulumi(\..+)?\.yaml$/.test(f))) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    fs.cpSync(path.join(ROOT, "policies", "config"), path.join(dir, "policies", "config"), { recursive: true });
    fs.cpSync(path.join(ROOT, "fixtures"), path.join(dir, "fixtures"), { recursive: true });
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, any> };
    const workspaces = doc.config["ml-platform:workspaces"] ?? { teams: ["ml"] };
    const teams: string[] = workspaces.teams;
    workspaces.users = Array.from({ length: users }, (_, i) => ({ name: `user-${String(i).padStart(3, "0")}`, team: teams[i % teams.length] }));
    doc.config["ml-platform:workspaces"] = workspaces;
    const monitoring = doc.config["ml-platform:monitoring"];
    monitoring.driftModels = Array.from({ length: models }, (_, i) => ({ name: `model-${String(i).padStart(3, "0")}`, threshold: 0.2 }));
    fs.writeFileSync(file, yaml.dump(doc));
    return dir;
}

/** Runs one plan in a child process so each sample pays the same start-up and has its own memory peak. */
function measure(stack: string, users: number, models: number): Sample {
    const root = scaledProject(stack, users, models);
    const script = `
        const { runPlan, mandatoryViolations } = require(${JSON.stringify(path.join(ROOT, "tools", "plan", "plan.ts"))});
        const started = process.hrtime.bigint();
        runPlan(${JSON.stringify(stack)}, ${JSON.stringify(root)}).then((plan) => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            const mandatory = mandatoryViolations(plan).length;
            console.log(JSON.stringify({
                resources: plan.resources.filter((r) => r.custom).length,
                mandatory,
                advisory: plan.violations.length - mandatory,
                seconds,
                maxRssMiB: process.resourceUsage().maxRSS / 1024,
                monthlyMax: plan.cost.monthlyMax,
            }));
        });`;
    const started = process.hrtime.bigint();
    const out = execFileSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    fs.rmSync(root, { recursive: true, force: true });
    const result = JSON.parse(out.trim().split("\n").pop()!) as Omit<Sample, "users" | "models">;
    return { users, models, ...result, seconds: Math.round(wall * 100) / 100 };
}

function main(): number {
    const stack = arg("stack", "prod");
    const userCounts = arg("users", "0,50,100,200").split(",").map(Number);
    const samples = userCounts.map((users) => measure(stack, users, Math.ceil(users / 4)));
    console.log(`Offline plan of '${stack}' by workspace users (models = users / 4), fresh process each:`);
    console.log("users  models  resources  mandatory  advisory  wall s  peak MiB  est. max $/month");
    for (const s of samples) {
        console.log(
            `${String(s.users).padStart(5)}  ${String(s.models).padStart(6)}  ${String(s.resources).padStart(9)}  ${String(s.mandatory).padStart(9)}  ${String(s.advisory).padStart(8)}  ${s.seconds.toFixed(2).padStart(6)}  ${s.maxRssMiB.toFixed(0).padStart(8)}  ${s.monthlyMax.toFixed(0).padStart(16)}`,
        );
    }
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (samples.length > 1 && last.resources > first.resources) {
        const perResource = (last.seconds - first.seconds) / (last.resources - first.resources);
        console.log(`marginal cost: ${(perResource * 1000).toFixed(1)} ms and ${((last.maxRssMiB - first.maxRssMiB) / (last.resources - first.resources) * 1024).toFixed(0)} KiB per added resource`);
    }
    const failing = samples.filter((s) => s.mandatory > 0);
    if (failing.length > 0) {
        console.log(`mandatory violations at ${failing.map((s) => `${s.users} users`).join(", ")}`);
        return 1;
    }
    return 0;
}

process.exit(main());
