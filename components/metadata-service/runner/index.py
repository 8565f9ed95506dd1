"""
The metadata service's deploy-time runner.

"migrate": runs the schema migration as a one-off Fargate task in the service's private subnets and
waits for it; Pulumi invokes it whenever the migration task definition changes (a new image), and a
failed migration fails the deployment before the service rolls out.

"redeploy": EventBridge invokes it after Secrets Manager rotates the database password; the running
tasks read the password once at start, so the services start new tasks that read the new one.
"""
import boto3

ecs = boto3.client("ecs")


def handler(event, context):
    action = event.get("action")
    if action == "migrate":
        return migrate(event)
    if action == "redeploy":
        return redeploy(event)
    raise ValueError(f"unknown action {action!r}")


def migrate(event):
    cluster = event["cluster"]
    response = ecs.run_task(
        cluster=cluster,
        taskDefinition=event["taskDefinition"],
        launchType="FARGATE",
        count=1,
        startedBy="schema-migration",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": event["subnets"],
                "securityGroups": event["securityGroups"],
                "assignPublicIp": "DISABLED",
            }
        },
    )
    if response["failures"] or not response["tasks"]:
        raise RuntimeError(f"could not start the migration task: {response['failures']}")
    task_arn = response["tasks"][0]["taskArn"]
    # 84 polls of 10 s stay inside Lambda's 15 minutes: a task start plus goose's migrations.
    ecs.get_waiter("tasks_stopped").wait(cluster=cluster, tasks=[task_arn], WaiterConfig={"Delay": 10, "MaxAttempts": 84})
    task = ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]
    container = next(c for c in task["containers"] if c["name"] == event["container"])
    exit_code = container.get("exitCode")
    if exit_code != 0:
        reason = container.get("reason") or task.get("stoppedReason") or "no reason given"
        raise RuntimeError(f"schema migration failed (exit code {exit_code}: {reason}); see log group {event['logGroup']}, task {task_arn}")
    return {"taskArn": task_arn, "exitCode": exit_code}


def redeploy(event):
    for service in event["services"]:
        ecs.update_service(cluster=event["cluster"], service=service, forceNewDeployment=True)
    return {"redeployed": event["services"]}
