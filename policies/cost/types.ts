/** What the cost model reads from a resource and what it returns. */

export interface CostedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Resource inputs, as the engine gives them to policies. */
    readonly props: Record<string, any>;
    /**
     * URNs of the resources each input was built from. Estimators follow references through them
     * (a service's `taskDefinition`) even in a preview, where the referenced ARN is still unknown.
     */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /**
     * Inputs still unknown (a preview), left out of `props` (`computeResources`, `subnetIds[1]`). A
     * resource whose estimate needs one is listed unpriced rather than priced on a guess.
     */
    readonly unknownInputs?: readonly string[];
}

export interface CostItem {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** USD a month when nobody runs anything. */
    readonly monthlyIdle: number;
    /** USD a month with every compute environment at its maximum the whole month. */
    readonly monthlyMax: number;
    /** How the figures were computed, with the prices used. */
    readonly basis: string;
    /** The input its estimate needs that is unknown during the preview; the figures are then 0. */
    readonly unknownInput?: string;
}

export interface CostEstimate {
    readonly currency: "USD";
    readonly region: string;
    readonly monthlyIdle: number;
    readonly monthlyMax: number;
    readonly items: CostItem[];
}

/** An estimator's figures for one resource, before rounding. */
export type Estimate = Omit<CostItem, "urn" | "type" | "name">;
