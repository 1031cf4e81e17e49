/** Types for action-yml.mjs. */
export interface ActionYml {
  readonly inputs: Record<string, { readonly default: string | undefined }>;
  readonly runs: Record<string, string>;
}
export declare function readActionYml(file: string): ActionYml;
