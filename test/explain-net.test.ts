import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIPv6, parseEndpoint, parseNetTable, type NetFile } from '../src/explain/net-table.js';
import { parsePasswd } from '../src/explain/passwd.js';
import { placeOf, shortPath } from '../src/explain/places.js';

// Recorded on a little-endian x86_64 host (see test/fixtures/net/README.md): host/ while python listened on
// 127.0.0.1:9419 (tcp), [::1]:9420 (tcp6), [::]:9421 (tcp6), 127.0.0.1:9422 (udp), [::1]:9423 (udp6), with one
// established tcp and tcp6 connection and one connected udp socket; netns/ in a private network namespace with
// 10.1.2.3:443, [2001:db8::1234:5678]:8080, [::ffff:127.0.0.1]:9424 (tcp), [2001:db8::1234:5678]:53, 0.0.0.0:5353 (udp).
const dir = path.join(import.meta.dirname, 'fixtures/net');
const load = (set: string, file: NetFile) =>
  parseNetTable(fs.readFileSync(path.join(dir, set, file), 'utf8'), file, 'LE');
const inodes = (set: string): Record<string, number> =>
  JSON.parse(fs.readFileSync(path.join(dir, set, 'inodes.json'), 'utf8'));

describe('parseNetTable on recorded /proc/net tables', () => {
  it('decodes IPv4 listeners and tells them from established connections', () => {
    const ids = inodes('host');
    const tcp = load('host', 'tcp');
    const listener = tcp.find((s) => s.inode === ids.t4);
    expect(listener).toMatchObject({
      proto: 'tcp',
      family: 4,
      address: '127.0.0.1',
      port: 9419,
      listening: true,
      state: 0x0a,
    });
    const client = tcp.find((s) => s.inode === ids.c4);
    expect(client).toMatchObject({
      address: '127.0.0.1',
      remoteAddress: '127.0.0.1',
      remotePort: 9419,
      listening: false,
      state: 1,
    });
    // The accepted side shares the listener's local port but is not listening.
    expect(tcp.filter((s) => s.port === 9419 && s.listening)).toHaveLength(1);
  });

  it('decodes IPv6 addresses word by word (::1, ::, documentation and v4-mapped addresses)', () => {
    const ids = inodes('host');
    const tcp6 = load('host', 'tcp6');
    expect(tcp6.find((s) => s.inode === ids.t6)).toMatchObject({
      family: 6,
      address: '::1',
      port: 9420,
      listening: true,
    });
    expect(tcp6.find((s) => s.inode === ids.tany6)).toMatchObject({ address: '::', port: 9421, listening: true });
    expect(tcp6.find((s) => s.inode === ids.c6)).toMatchObject({ address: '::1', remotePort: 9420, listening: false });
    const ns = inodes('netns');
    const nsTcp6 = load('netns', 'tcp6');
    expect(nsTcp6.find((s) => s.inode === ns.tcp6_doc)).toMatchObject({
      address: '2001:db8::1234:5678',
      port: 8080,
      listening: true,
    });
    expect(nsTcp6.find((s) => s.inode === ns.tcp6_mapped)).toMatchObject({ address: '::ffff:127.0.0.1', port: 9424 });
    expect(load('netns', 'tcp').find((s) => s.inode === ns.tcp4_10_1_2_3)).toMatchObject({
      address: '10.1.2.3',
      port: 443,
    });
  });

  it('counts bound UDP sockets as listening, connected ones not', () => {
    const ids = inodes('host');
    const udp = load('host', 'udp');
    expect(udp.find((s) => s.inode === ids.u4)).toMatchObject({
      proto: 'udp',
      address: '127.0.0.1',
      port: 9422,
      listening: true,
    });
    expect(udp.find((s) => s.inode === ids.uc)).toMatchObject({ remotePort: 9422, listening: false });
    expect(load('host', 'udp6').find((s) => s.inode === ids.u6)).toMatchObject({
      address: '::1',
      port: 9423,
      listening: true,
    });
    const ns = inodes('netns');
    expect(load('netns', 'udp6').find((s) => s.inode === ns.udp6_doc)).toMatchObject({
      address: '2001:db8::1234:5678',
      port: 53,
    });
    expect(load('netns', 'udp').find((s) => s.inode === ns.udp4_any)).toMatchObject({
      address: '0.0.0.0',
      port: 5353,
      listening: true,
    });
  });

  it('skips the header and malformed rows; reads big-endian words as written', () => {
    expect(parseNetTable('  sl  local_address rem_address   st\n garbage\n', 'tcp')).toEqual([]);
    expect(parseEndpoint('7F000001:0050', 'BE')).toEqual({ address: '127.0.0.1', port: 80 });
    expect(parseEndpoint('00000000000000000000000000000001:0050', 'BE')).toEqual({ address: '::1', port: 80 });
    expect(parseEndpoint('nonsense')).toBeUndefined();
  });

  it('formats IPv6 per RFC 5952 (longest zero run, first on ties, no single-group ::)', () => {
    const bytes = (groups: number[]) => groups.flatMap((g) => [g >> 8, g & 0xff]);
    expect(formatIPv6(bytes([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]))).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(bytes([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIPv6(bytes([0, 0, 0, 0, 0, 0, 0, 0]))).toBe('::');
    expect(formatIPv6(bytes([0xfe80, 0, 0, 0, 0, 0, 0, 0]))).toBe('fe80::');
  });
});

describe('passwd and places', () => {
  it('maps uids to names, first entry wins, comments and junk skipped', () => {
    const users = parsePasswd(
      '# comment\nroot:x:0:0:root:/root:/bin/bash\nrunner:x:1001:127::/home/runner:/bin/bash\nalias:x:0:0::/:/bin/sh\nbroken\n',
    );
    expect(users.get(0)).toBe('root');
    expect(users.get(1001)).toBe('runner');
    expect(users.get(5)).toBeUndefined();
  });

  it('places paths in the workspace or runner temp, not in look-alike siblings', () => {
    const places = { workspace: '/home/runner/work/repo/repo', runnerTemp: '/home/runner/work/_temp' };
    expect(placeOf('/home/runner/work/repo/repo/src', places)).toBe('workspace');
    expect(placeOf('/home/runner/work/repo/repo-other', places)).toBeUndefined();
    expect(placeOf('/home/runner/work/_temp/x.db', places)).toBe('runner-temp');
    expect(shortPath('/home/runner/work/repo/repo', places)).toBe('workspace');
    expect(shortPath('/home/runner/work/_temp/a/b', places)).toBe('runner-temp/a/b');
    expect(shortPath('/etc/hosts', places)).toBe('/etc/hosts');
    expect(placeOf('/ws/_temp/f', { workspace: '/ws', runnerTemp: '/ws/_temp' })).toBe('runner-temp');
  });
});
