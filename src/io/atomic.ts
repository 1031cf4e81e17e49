/**
 * Atomic file writes: a reader (the next sweep, node_exporter's textfile
 * collector) sees the old file or the new one, never half of one.
 *
 * rename(2): "If newpath already exists, it will be atomically replaced", but
 * only within one filesystem, so the temp file lives in the target's own
 * directory. Its name does not end in `.prom` or `.json`, so node_exporter
 * ("*.prom" only) and listJobs ("*.json" only) never read it half-written.
 *
 * The temp file is created with O_CREAT|O_EXCL (flag "wx") under a random
 * name: in a shared sticky folder another user could plant a symlink at a
 * predictable name, and root writing through it would overwrite its target
 * (open(2), O_EXCL: "If pathname already exists, then open() fails", symlinks included).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    fs.writeFileSync(temp, text, { mode, flag: 'wx' });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
