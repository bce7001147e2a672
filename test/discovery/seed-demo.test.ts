/**
 * Issue 11, sample data: `npm run seed-demo` creates the seed 004 chargers (Siemens
 * VersiCharge JAAL34S021 with its exact fields, ABB, Tesla, EVBox), test RFID cards and a
 * template, and running it again changes nothing.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEMO_CHARGERS } from '../../main/store/demo-data.js';
import { startTestApp } from '../helpers/app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const seed = (dataDir: string) =>
  new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', 'main/seed-demo.ts', '--data-dir', dataDir], { cwd: ROOT, timeout: 60_000 }, (err, out, stderr) =>
      err ? reject(new Error(stderr, { cause: err })) : resolve(out),
    ),
  );

test('issue 11: npm run seed-demo creates the seed 004 chargers, test cards and a template, idempotently', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-edge-seed-'));
  try {
    assert.match(await seed(dir), /created: charger JAAL34S021, charger ABB-TAC-0001, charger TWC3-0001, charger EVB-BL-0001, card DEMO-CARD-0001/);
    assert.match(await seed(dir), /created: nothing/);
    const app = await startTestApp({ dataDir: dir });
    try {
      for (const { chargePointId, ...fields } of DEMO_CHARGERS) {
        const stored = (await (await app.api(`/api/charger/${chargePointId}`)).json()) as any;
        assert.deepEqual({ ...stored, ...fields }, stored, `${chargePointId}: every field stored as seeded`);
      }
      // Seed 004's own values, pinned here so a changed seed record cannot pass unnoticed.
      const siemens = (await (await app.api('/api/charger/JAAL34S021')).json()) as any;
      assert.deepEqual([siemens.serialNumber, siemens.catalogNumber, siemens.vendor, siemens.model], ['JAAL34S021', '8EM1310-3EJ04-0GA0', 'Siemens', 'VersiCharge 8EM1310']);
      assert.deepEqual([siemens.ratedVolts, siemens.ratedAmps, siemens.maximumAmps, siemens.ipAddress, siemens.targetGroup], [240, 32, 32, '192.168.10.143', 'Production']);
      const chargers = (await (await app.api('/api/charger')).json()) as any[];
      assert.deepEqual(chargers.map((c) => c.vendor).sort(), ['ABB', 'EVBox', 'Siemens', 'Tesla']);
      const cards = (await (await app.api('/api/rfid')).json()) as any[];
      assert.equal(cards.length, 5, 'no card twice after two runs');
      assert.equal((await app.api('/api/provisioning/templates/Production')).status, 200);
    } finally {
      await app.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
