/**
 * SageMaker workspaces: notebook instances bill while InService (an idle-stop lifecycle lowers
 * that, but the estimate cannot know the schedule, so it counts a running month); Studio domains
 * cost nothing themselves and their apps bill by instance while running.
 */
import { label } from "./lookup";
import { ASSUMPTIONS, monthly, sagemakerHourly, usd, type RegionPrices } from "./prices";
import type { CostedResource, Estimate } from "./types";

export function notebookInstance(r: CostedResource, p: RegionPrices, region: string): Estimate {
    const type = String(r.props.instanceType);
    const hourly = sagemakerHourly(type, region, label(r));
    const gb = Number(r.props.volumeSize ?? ASSUMPTIONS.notebookVolumeGbDefault);
    const amount = monthly(hourly) + gb * p.sagemaker.storageGbMonth;
    return { monthlyIdle: amount, monthlyMax: amount, basis: `${type} ${usd(hourly)}/h × 730 h (billed while InService) + ${gb} GB × ${usd(p.sagemaker.storageGbMonth)}/GB-month` };
}

export function studioApp(r: CostedResource, _p: RegionPrices, region: string): Estimate {
    const type = r.props.resourceSpec?.instanceType as string | undefined;
    if (!type || type === "system") return { monthlyIdle: 0, monthlyMax: 0, basis: "runs on the free system instance" };
    const hourly = sagemakerHourly(type, region, label(r));
    return { monthlyIdle: monthly(hourly), monthlyMax: monthly(hourly), basis: `${type} ${usd(hourly)}/h × 730 h while the app runs` };
}

export function studioDomain(_r: CostedResource, p: RegionPrices): Estimate {
    const amount = p.sagemaker.studioDomainMonthly;
    return { monthlyIdle: amount, monthlyMax: amount, basis: "no charge for the domain; apps bill by instance while running, home storage (EFS) by use" };
}

/**
 * A Studio space: its EBS volume bills for as long as the space exists; its JupyterLab app bills by
 * instance only while running (idle shutdown stops it), so at most a running month.
 */
export function studioSpace(r: CostedResource, p: RegionPrices, region: string): Estimate {
    const settings = r.props.spaceSettings ?? {};
    const gb = Number(settings.spaceStorageSettings?.ebsStorageSettings?.ebsVolumeSizeInGb ?? ASSUMPTIONS.notebookVolumeGbDefault);
    const storage = gb * p.sagemaker.storageGbMonth;
    const type = (settings.jupyterLabAppSettings ?? settings.codeEditorAppSettings)?.defaultResourceSpec?.instanceType as string | undefined;
    const volume = `${gb} GB volume × ${usd(p.sagemaker.storageGbMonth)}/GB-month`;
    if (!type) return { monthlyIdle: storage, monthlyMax: storage, basis: `${volume}; its app's instance is chosen at start` };
    const hourly = sagemakerHourly(type, region, label(r));
    return { monthlyIdle: storage, monthlyMax: storage + monthly(hourly), basis: `${volume} always; ${type} ${usd(hourly)}/h × 730 h at most while its app runs` };
}
