/** Types for job.mjs (plain JS so `node scripts/demo.mjs` runs it without a TypeScript step). */
export declare const REPO_ROOT: string;

export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice';
  readonly title: string | undefined;
  readonly message: string;
}

export interface StepResult {
  readonly name: string;
  readonly stage: 'pre' | 'main' | 'post' | 'run';
  readonly pid: number | undefined;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly annotations: readonly Annotation[];
}

export interface SimJobOptions {
  root?: string;
  actionDir?: string;
  trackingId?: string;
  env?: Record<string, string>;
  echo?: (text: string) => void;
}

export interface ActionStepOptions {
  id?: string;
  inputs?: Record<string, string | boolean | number>;
}

export declare class SimJob {
  constructor(options?: SimJobOptions);
  readonly root: string;
  readonly temp: string;
  readonly workspace: string;
  readonly trackingId: string;
  readonly jobEnv: Record<string, string>;
  readonly state: Record<string, Record<string, string>>;
  readonly steps: StepResult[];
  readonly failed: boolean;
  run(script: string, options?: { id?: string; env?: Record<string, string> }): Promise<StepResult>;
  action(stage: 'pre' | 'main' | 'post', options?: ActionStepOptions): Promise<StepResult>;
  pre(options?: ActionStepOptions): Promise<StepResult>;
  main(options?: ActionStepOptions): Promise<StepResult>;
  post(options?: ActionStepOptions): Promise<StepResult>;
  dispose(): void;
}

export declare const inputVar: (name: string) => string;
