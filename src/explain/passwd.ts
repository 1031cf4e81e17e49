/**
 * uid → user name from /etc/passwd (passwd(5)), parsed once and cached.
 *
 * No NSS: users from LDAP/SSSD stay unnamed (`undefined`), which reports show
 * as the bare uid. Spawning `getent` per finding is not worth it.
 */
import fs from 'node:fs';
import { attempt } from '../proc/index.js';

export function parsePasswd(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [name, , uid] = line.split(':');
    if (!name || uid === undefined || !/^\d+$/.test(uid)) continue;
    if (!out.has(Number(uid))) out.set(Number(uid), name); // first entry wins, as getpwuid(3) does
  }
  return out;
}

const cache = new Map<string, Map<number, string>>();

export function userName(uid: number | undefined, file = '/etc/passwd'): string | undefined {
  if (uid === undefined) return undefined;
  let users = cache.get(file);
  if (!users) {
    // No passwd file (distroless images): every user stays unnamed.
    const text = attempt(() => fs.readFileSync(file, 'utf8'));
    users = parsePasswd(text.ok ? text.value : '');
    cache.set(file, users);
  }
  return users.get(uid);
}
