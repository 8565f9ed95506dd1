"""
Training pipeline template.

Copy it, rename the class and PIPELINE, put the training code in `train`, then:

    python train_flow.py run                      # training runs on AWS Batch
    python train_flow.py step-functions create    # deploys it; @schedule runs it daily

Hyperparameters are read at the start of every run from SSM Parameter Store:
    /ml-platform/<environment>/pipelines/<team>/<PIPELINE>/hyperparameters   (a JSON object)
"""
import json
import os

from metaflow import FlowSpec, Parameter, batch, current, retry, schedule, step

PIPELINE = "example-train"


def workspace_setting(key, env_var):
    """The workspace's environment or team, as its start-up wrote them."""
    if os.environ.get(env_var):
        return os.environ[env_var]
    path = os.path.expanduser("~/.ml-platform/workspace.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f).get(key)
    return None


def hyperparameter_name(environment, team, pipeline):
    return f"/ml-platform/{environment}/pipelines/{team}/{pipeline}/hyperparameters"


@schedule(daily=True)
class TrainFlow(FlowSpec):
    environment = Parameter("environment", default=workspace_setting("environment", "MLP_ENVIRONMENT"), help="Platform environment (dev, staging, prod).")
    team = Parameter("team", default=workspace_setting("team", "MLP_TEAM"), help="Team that owns the pipeline's hyperparameters.")

    @step
    def start(self):
        import boto3

        if not self.environment or not self.team:
            raise ValueError("run from a platform workspace, or pass --environment and --team")
        name = hyperparameter_name(self.environment, self.team, PIPELINE)
        value = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        self.hyperparameters = json.loads(value)
        print(f"{current.flow_name}/{current.run_id}: hyperparameters from {name}: {self.hyperparameters}")
        self.next(self.train)

    @retry(times=2)
    @batch(cpu=2, memory=8192)
    @step
    def train(self):
        # Replace with the real training; everything assigned to self is stored in the artifact store.
        self.model = {"kind": "placeholder", "params": self.hyperparameters}
        self.metrics = {"validation_score": 0.0}
        self.next(self.end)

    @step
    def end(self):
        print(f"trained {PIPELINE}: {self.metrics}")


if __name__ == "__main__":
    TrainFlow()
