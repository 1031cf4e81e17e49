/**
 * One signal to a set of records: directly (signals.ts), and where kill(2)
 * says EPERM and a privileged helper is given, through it
 * (privileged-signal.ts), in one helper call for all of them. A record that
 * needed the helper once goes through it for every later signal.
 */
import type { PrivilegePrefix } from '../proc/index.js';
import type { TargetRecord } from './outcome.js';
import { signalPrivileged } from './privileged-signal.js';
import { applyResult } from './records.js';
import { type SignalName, signalProcess } from './signals.js';

const refusedByPermission = (r: TargetRecord): boolean =>
  r.settled?.kind === 'denied' && r.settled.detail.startsWith('EPERM');

export async function sendAll(
  records: readonly TargetRecord[],
  signal: SignalName,
  helper: PrivilegePrefix | false | undefined,
): Promise<void> {
  const viaHelper: TargetRecord[] = [];
  for (const r of records) {
    if (r.settled) continue;
    if (r.helper && helper) {
      viaHelper.push(r);
      continue;
    }
    applyResult(r, signal, signalProcess(r, signal)); // after the identity check in signalProcess
    if (helper && refusedByPermission(r)) {
      r.settled = undefined;
      r.helper = true;
      viaHelper.push(r);
    }
  }
  if (!helper || viaHelper.length === 0) return;
  const results = await signalPrivileged(helper, viaHelper, signal);
  for (const r of viaHelper) {
    const result = results.get(r.pid);
    if (result) applyResult(r, signal, result);
  }
}
