"""
Drift check template: compares recent feature values with the training baseline and publishes the
score where the platform's drift alarms watch it:

    namespace  MLPlatform/ModelDrift
    metric     DriftScore   (0 = no drift, 1 = completely different distributions)
    dimensions Environment=<environment>, Model=<model name in ml-platform:monitoring.driftModels>

Copy it once per model, rename the class and set MODEL to the model's name, then:

    python drift_check_flow.py run                    # or --model <name> for another model
    python drift_check_flow.py step-functions create  # deploys it; @schedule runs it daily for MODEL
"""
import json
import os

from metaflow import FlowSpec, Parameter, batch, schedule, step

DRIFT_NAMESPACE = "MLPlatform/ModelDrift"
# The model this copy checks, as named in ml-platform:monitoring.driftModels. A scheduled run takes
# every parameter's default (Step Functions refuses a scheduled flow with a required parameter
# without one), so the model is set here rather than on the command line.
MODEL = "churn-classifier"


def workspace_setting(key, env_var):
    """The workspace's environment, as its start-up wrote it."""
    if os.environ.get(env_var):
        return os.environ[env_var]
    path = os.path.expanduser("~/.ml-platform/workspace.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f).get(key)
    return None


def ks_distance(baseline, recent):
    """Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs, in [0, 1]."""
    if not baseline or not recent:
        raise ValueError("ks_distance needs at least one value in each sample")
    baseline, recent = sorted(baseline), sorted(recent)
    n, m = len(baseline), len(recent)
    i = j = 0
    gap = 0.0
    while i < n and j < m:
        # Both CDFs step over every copy of a value at once: measuring between copies of a tied
        # value would find a gap that is not there (identical samples would score 0.5).
        value = min(baseline[i], recent[j])
        while i < n and baseline[i] == value:
            i += 1
        while j < m and recent[j] == value:
            j += 1
        gap = max(gap, abs(i / n - j / m))
    return gap


def publish_drift(environment, model, score):
    import boto3

    boto3.client("cloudwatch").put_metric_data(
        Namespace=DRIFT_NAMESPACE,
        MetricData=[
            {
                "MetricName": "DriftScore",
                "Dimensions": [{"Name": "Environment", "Value": environment}, {"Name": "Model", "Value": model}],
                "Value": float(score),
                "Unit": "None",
            }
        ],
    )


@schedule(daily=True)
class DriftCheckFlow(FlowSpec):
    environment = Parameter("environment", default=workspace_setting("environment", "MLP_ENVIRONMENT"), help="Platform environment (dev, staging, prod).")
    model = Parameter("model", default=MODEL, help="Model name, as listed in the platform's driftModels.")

    @batch(cpu=1, memory=4096)
    @step
    def start(self):
        # Replace with the model's real baseline and recent feature values.
        baseline = [x / 100 for x in range(100)]
        recent = [x / 100 + 0.1 for x in range(100)]
        self.score = ks_distance(baseline, recent)
        publish_drift(self.environment, self.model, self.score)
        self.next(self.end)

    @step
    def end(self):
        print(f"{self.model}: DriftScore {self.score:.3f} published to {DRIFT_NAMESPACE}")


if __name__ == "__main__":
    DriftCheckFlow()
