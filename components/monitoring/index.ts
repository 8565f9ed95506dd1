export { Alerts, type AlertsArgs } from "./alerts";
export { ALERT_PUBLISHERS, alertKeyStatements, alertTopicStatements } from "./alert-policies";
export { Monitoring, type MonitoringArgs } from "./monitoring";
export { alarmSpecs, type AlarmSpec, type AlarmThresholds, type DriftModel } from "./alarms";
export { dashboardBody, type DashboardSpec, type MetadataServiceRef } from "./dashboard";
export { databaseDimension, databaseKind, type DatabaseKind, type DatabaseRef } from "./database";
export { DRIFT_NAMESPACE, DRIFT_METRIC, EVENT_METRICS, eventNamespace, eventLogGroupName } from "./metrics";
