/** What every step of the action shares. */
import * as core from '@actions/core';
import { messageOf } from '../text/error-message.js';

/**
 * A step that does nothing on Windows (not supported yet: README, What each step does) and never
 * rejects: any failure ends in core.setFailed, named with the step.
 */
export function actionStep(name: string, onWindows: string, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      if (process.platform === 'win32') return core.info(`strays: Windows runners are not supported yet; ${onWindows}`);
      await body();
    } catch (error) {
      core.setFailed(`strays ${name}: ${messageOf(error)}`);
    }
  };
}
