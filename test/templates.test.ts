/**
 * The pipeline templates, run with python3 against a stub `metaflow` module: each template stays one
 * copyable file, so its pure parts are tested by importing the file itself.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const FLOWS = path.join(__dirname, "..", "templates", "flows");

/** Just enough of Metaflow to import a flow file: parameters keep their arguments, @schedule marks the class. */
const STUB_METAFLOW = `
class FlowSpec:
    pass
class Parameter:
    def __init__(self, name, **kwargs):
        self.name = name
        self.kwargs = kwargs
def schedule(**kwargs):
    def mark(cls):
        cls._schedule = kwargs
        return cls
    return mark
def _passthrough(*args, **kwargs):
    return lambda f: f
batch = retry = resources = _passthrough
def step(f):
    return f
current = None
`;

const LOADER = `
import importlib.util, json, sys
def load(path):
    spec = importlib.util.spec_from_file_location("template", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
`;

/** Runs `body` (after LOADER) with the stub on the path and a home of its own; returns its JSON output. */
function python(body: string, args: string[] = []): any {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-templates-"));
    fs.writeFileSync(path.join(dir, "metaflow.py"), STUB_METAFLOW);
    const run = spawnSync("python3", ["-c", LOADER + body, ...args], {
        env: { PATH: process.env.PATH, HOME: dir, PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: "1" },
        encoding: "utf8",
    });
    expect(run.status, run.stderr).to.equal(0);
    return JSON.parse(run.stdout);
}

describe("pipeline templates", () => {
    const templates = fs.readdirSync(FLOWS).filter((f) => f.endsWith(".py"));

    it("are the training and drift check flows", () => {
        expect(templates).to.have.members(["train_flow.py", "drift_check_flow.py"]);
    });

    for (const template of templates) {
        it(`${template}: a scheduled flow gives every required parameter a default, so \`step-functions create\` accepts it`, () => {
            // Metaflow's rule (plugins/aws/step_functions): "default" not in kwargs and required and scheduled → refused.
            const flows = python(
                `
from metaflow import FlowSpec, Parameter
module = load(sys.argv[1])
flows = []
for cls in vars(module).values():
    if isinstance(cls, type) and issubclass(cls, FlowSpec) and cls is not FlowSpec:
        params = [{"name": p.name, "required": bool(p.kwargs.get("required")), "hasDefault": "default" in p.kwargs, "default": p.kwargs.get("default")}
                  for p in vars(cls).values() if isinstance(p, Parameter)]
        flows.append({"flow": cls.__name__, "scheduled": hasattr(cls, "_schedule"), "parameters": params})
print(json.dumps(flows))
`,
                [path.join(FLOWS, template)],
            ) as { flow: string; scheduled: boolean; parameters: { name: string; required: boolean; hasDefault: boolean; default: unknown }[] }[];
            expect(flows).to.have.length(1);
            for (const f of flows.filter((x) => x.scheduled)) {
                expect(f.parameters.filter((p) => p.required && !p.hasDefault).map((p) => p.name), f.flow).to.deep.equal([]);
            }
        });
    }

    it("drift_check_flow.py: checks the model its copy names by default", () => {
        const model = python(
            `
module = load(sys.argv[1])
print(json.dumps({"MODEL": module.MODEL, "default": module.DriftCheckFlow.model.kwargs.get("default")}))
`,
            [path.join(FLOWS, "drift_check_flow.py")],
        );
        expect(model).to.deep.equal({ MODEL: "churn-classifier", default: "churn-classifier" });
    });

    describe("drift_check_flow.py ks_distance", () => {
        let results: Record<string, number | string>;
        before(() => {
            results = python(
                `
module = load(sys.argv[1])
ks = module.ks_distance
cases = {
    "identical": ([1, 2, 3], [1, 2, 3]),
    "identical with ties": ([1, 1, 2, 2], [2, 1, 2, 1]),
    "one value repeated": ([5, 5, 5], [5, 5]),
    "disjoint": ([1, 2], [3, 4]),
    "disjoint, recent lower": ([3, 4, 5], [1, 2]),
    "hand-computed": ([1, 2, 2, 3], [2, 3, 3, 4]),
    "ties across samples": ([1, 1, 2], [1, 2, 2]),
}
out = {name: ks(a, b) for name, (a, b) in cases.items()}
try:
    ks([], [1])
except ValueError as e:
    out["empty"] = str(e)
# Against the definition, sup over every value v of |F_baseline(v) - F_recent(v)|, on samples full of ties.
import random
rng = random.Random(7)
worst = 0.0
for _ in range(300):
    a = [rng.randint(0, 5) for _ in range(rng.randint(1, 12))]
    b = [rng.randint(0, 5) for _ in range(rng.randint(1, 12))]
    cdf = lambda s, v: sum(x <= v for x in s) / len(s)
    expected = max(abs(cdf(a, v) - cdf(b, v)) for v in set(a) | set(b))
    worst = max(worst, abs(ks(a, b) - expected))
out["largest difference from the definition"] = worst
print(json.dumps(out))
`,
                [path.join(FLOWS, "drift_check_flow.py")],
            );
        });

        it("identical samples (ties included) → 0", () => {
            expect([results["identical"], results["identical with ties"], results["one value repeated"]]).to.deep.equal([0, 0, 0]);
        });

        it("disjoint samples → 1, whichever is lower", () => {
            expect([results["disjoint"], results["disjoint, recent lower"]]).to.deep.equal([1, 1]);
        });

        it("hand-computed cases: the largest CDF gap after all copies of each value", () => {
            // [1,2,2,3] vs [2,3,3,4]: at 1: 1/4-0; at 2: 3/4-1/4 = 1/2; at 3: 1-3/4; at 4: 1-1 → 0.5
            expect(results["hand-computed"]).to.equal(0.5);
            // [1,1,2] vs [1,2,2]: at 1: 2/3-1/3; at 2: 1-1 → 1/3 (stepping one copy at a time found 2/3)
            expect(results["ties across samples"]).to.be.closeTo(1 / 3, 1e-12);
        });

        it("matches the definition on random samples full of ties", () => {
            expect(results["largest difference from the definition"]).to.be.below(1e-12);
        });

        it("refuses an empty sample", () => {
            expect(results["empty"]).to.match(/at least one value in each sample/);
        });
    });
});
