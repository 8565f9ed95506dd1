/**
 * npm run plan -- --stack <name> [--json FILE] [--markdown FILE] [--sarif FILE]
 * Exit 0: no mandatory violation; 1: mandatory violations; 2: bad config or usage.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../stacks/config";
import { PolicyConfigError } from "../policy/evaluate";
import { jsonReport } from "./report-json";
import { markdownReport } from "./report-markdown";
import { sarifReport } from "./report-sarif";
import { textReport } from "./report-text";
import { mandatoryViolations, REPO_ROOT, runPlan } from "./plan";
import { PlanInputError } from "./stack-files";

const USAGE = "usage: npm run plan -- --stack <name> [--json FILE] [--markdown FILE] [--sarif FILE]";

interface CliArgs {
    stack: string;
    json?: string;
    markdown?: string;
    sarif?: string;
}

function parseArgs(argv: readonly string[]): CliArgs {
    const out: Partial<CliArgs> = {};
    const flags: Record<string, keyof CliArgs> = { "--stack": "stack", "--json": "json", "--markdown": "markdown", "--sarif": "sarif" };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split(/=(.*)/s, 2);
        const key = flags[flag];
        if (!key) throw new PlanInputError(`unknown argument '${argv[i]}'\n${USAGE}`);
        const value = inline ?? argv[++i];
        if (!value || value.startsWith("--")) throw new PlanInputError(`${flag} needs a value\n${USAGE}`);
        out[key] = value;
    }
    if (!out.stack) throw new PlanInputError(`--stack is required\n${USAGE}`);
    return out as CliArgs;
}

function write(file: string, content: string): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, content.endsWith("\n") ? content : `${content}\n`);
}

export async function main(argv: readonly string[], root: string = REPO_ROOT): Promise<number> {
    try {
        const args = parseArgs(argv);
        const plan = await runPlan(args.stack, root);
        console.log(textReport(plan));
        if (args.json) write(args.json, JSON.stringify(jsonReport(plan), null, 2));
        if (args.markdown) write(args.markdown, markdownReport(plan));
        if (args.sarif) write(args.sarif, JSON.stringify(sarifReport(plan), null, 2));
        return mandatoryViolations(plan).length > 0 ? 1 : 0;
    } catch (e) {
        if (e instanceof PlanInputError || e instanceof ConfigError || e instanceof PolicyConfigError) {
            console.error(`plan: ${e.message}`);
            return 2;
        }
        console.error(`plan: the program failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
