/**
 * Sample data for a first look (seed 004), written by `npm run seed-demo` while the service is
 * stopped (so directly, not through the writer): the Siemens VersiCharge JAAL34S021 with its exact
 * fields, an ABB, a Tesla and an EVBox charger, test RFID cards (including the ones
 * `npm run sim` uses by default) and a Production template. Idempotent: what exists is kept.
 */
import type { Db } from './db.js';
import { type ChargerFields, getCharger, insertCharger } from './queries/chargers.js';
import { findIdTagForAuthorization, insertIdTag } from './queries/id-tags.js';
import { getTemplate, putTemplate } from './queries/provisioning.js';

const DEMO = 'Demo charger (npm run seed-demo)';

export const DEMO_CHARGERS: ReadonlyArray<ChargerFields & { chargePointId: string }> = [
  // Seed 004, exactly as the user wrote it.
  {
    chargePointId: 'JAAL34S021',
    serialNumber: 'JAAL34S021',
    catalogNumber: '8EM1310-3EJ04-0GA0',
    vendor: 'Siemens',
    model: 'VersiCharge 8EM1310',
    ratedVolts: 240,
    ratedAmps: 32,
    maximumAmps: 32,
    ipAddress: '192.168.10.143',
    targetGroup: 'Production',
    description: DEMO,
  },
  {
    chargePointId: 'ABB-TAC-0001',
    serialNumber: 'ABB-TAC-0001',
    vendor: 'ABB',
    model: 'Terra AC W22-T-RD-M-0',
    ratedVolts: 400,
    ratedAmps: 32,
    maximumAmps: 32,
    targetGroup: 'Production',
    description: DEMO,
  },
  {
    chargePointId: 'TWC3-0001',
    serialNumber: 'TWC3-0001',
    vendor: 'Tesla',
    model: 'Wall Connector Gen 3',
    ratedVolts: 240,
    ratedAmps: 48,
    maximumAmps: 48,
    targetGroup: 'Production',
    description: DEMO,
  },
  { chargePointId: 'EVB-BL-0001', serialNumber: 'EVB-BL-0001', vendor: 'EVBox', model: 'BusinessLine', ratedVolts: 230, ratedAmps: 32, maximumAmps: 32, targetGroup: 'Production', description: DEMO },
];

export const DEMO_CARDS = ['DEMO-CARD-0001', 'DEMO-CARD-0002', 'DEMO-CARD-0003', 'SIM-TAG-0001', 'SIM-TAG-0002'];

export const DEMO_TEMPLATE = {
  targetGroup: 'Production',
  keys: {
    HeartbeatInterval: '60',
    MeterValueSampleInterval: '60',
    MeterValuesSampledData: 'Energy.Active.Import.Register,Power.Active.Import',
    LocalAuthorizeOffline: 'true',
    LocalPreAuthorize: 'true',
  },
  sendLocalList: true,
};

export interface SeedResult {
  created: string[];
  kept: string[];
}

export function seedDemo(db: Db): SeedResult {
  const r: SeedResult = { created: [], kept: [] };
  const ensure = (what: string, exists: boolean, create: () => void) => {
    if (!exists) create();
    (exists ? r.kept : r.created).push(what);
  };
  db.transaction(() => {
    for (const { chargePointId, ...fields } of DEMO_CHARGERS) ensure(`charger ${chargePointId}`, !!getCharger(db, chargePointId), () => insertCharger(db, chargePointId, fields));
    for (const tagId of DEMO_CARDS) ensure(`card ${tagId}`, !!findIdTagForAuthorization(db, tagId), () => insertIdTag(db, { tagId, description: 'Demo card (npm run seed-demo)' }));
    ensure(`template ${DEMO_TEMPLATE.targetGroup}`, !!getTemplate(db, DEMO_TEMPLATE.targetGroup), () => putTemplate(db, DEMO_TEMPLATE));
  })();
  return r;
}
