import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpmiDriver } from '../../../core/power/ipmi-driver.js';

// ipmitool 1.8.19 exits 0 when the BMC refuses `chassis bootdev` (completion code 0xcc, seen with
// ipmi_sim without a chassis_control helper) and says so only on stderr. A stand-in ipmitool replays
// exactly that answer, which no healthy BMC simulator gives on demand.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'octofleet-ipmitool-stub-'));
  await writeFile(
    join(dir, 'ipmitool'),
    [
      '#!/bin/sh',
      'case "$*" in',
      '  *"chassis bootdev"*) echo "Set Chassis Boot Parameter 5 failed: Invalid data field in request" >&2; exit 0;;',
      '  *"bootparam get 5"*) printf " Boot Flags :\\n   - Boot Device Selector : Force PXE\\n"; exit 0;;',
      'esac',
      'exit 1',
      '',
    ].join('\n'),
  );
  await chmod(join(dir, 'ipmitool'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('IPMI chassis bootdev', () => {
  it('is a failure when ipmitool exits 0 but the BMC refused (stderr only), with its message', async () => {
    const d = new IpmiDriver({
      address: '127.0.0.1',
      username: 'admin',
      password: 'x',
      ipmitool: join(dir, 'ipmitool'),
    });
    await expect(d.pxeOnce('uefi')).rejects.toMatchObject({
      code: 'bmc:refused',
      message:
        'chass bootdev pxe was not accepted: Set Chassis Boot Parameter 5 failed: Invalid data field in request'.replace(
          'chass ',
          'chassis ',
        ),
    });
  });
});
