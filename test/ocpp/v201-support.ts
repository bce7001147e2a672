/**
 * Helpers of the OCPP 2.0.1 integration tests (issue 14): a raw `ws` peer offering ocpp2.0.1 and
 * the 2.0.1 payloads the tests send (not a test file itself).
 */
import { randomUUID } from 'node:crypto';
import type { TestApp } from '../helpers/app.js';
import { TestCharger } from '../helpers/ocpp-client.js';
import { iso } from './support.js';

/** Connects at ws://HOST:PORT/ocpp/ID offering ocpp2.0.1 only (unless `protocols` says otherwise). */
export const connect201 = (app: TestApp, id: string, opts: Parameters<typeof TestCharger.connect>[1] = {}) =>
  TestCharger.connect(`${app.wsBase}/ocpp/${encodeURIComponent(id)}`, { protocols: ['ocpp2.0.1'], ...opts });

export const boot201 = (c: TestCharger) =>
  c.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Alfen', model: 'Eve Double Pro', serialNumber: 'ACE0123', firmwareVersion: '6.4.0' } });

export async function connectBooted201(app: TestApp, id: string): Promise<TestCharger> {
  const cp = await connect201(app, id);
  const b = await boot201(cp);
  if (b.status !== 'Accepted') throw new Error(`boot of ${id} was ${b.status}`);
  return cp;
}

/** A register reading in Wh, as a 2.0.1 meterValue entry. */
export const energyReading = (wh: number, at = iso(), context = 'Sample.Periodic') => ({
  timestamp: at,
  sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context, unitOfMeasure: { unit: 'Wh' } }],
});

export interface TxEventOpts {
  transactionId: string;
  seqNo: number;
  eventType: 'Started' | 'Updated' | 'Ended';
  wh?: number;
  idToken?: string;
  evseId?: number;
  offline?: boolean;
  at?: string;
  triggerReason?: string;
  chargingState?: string;
}

/** A TransactionEvent payload: Started carries the EVSE and Transaction.Begin reading, Ended the reason and Transaction.End. */
export function txEvent(o: TxEventOpts): Record<string, unknown> {
  const at = o.at ?? iso();
  const context = o.eventType === 'Started' ? 'Transaction.Begin' : o.eventType === 'Ended' ? 'Transaction.End' : 'Sample.Periodic';
  return {
    eventType: o.eventType,
    timestamp: at,
    triggerReason: o.triggerReason ?? (o.eventType === 'Started' ? 'Authorized' : o.eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic'),
    seqNo: o.seqNo,
    ...(o.offline && { offline: true }),
    transactionInfo: {
      transactionId: o.transactionId,
      ...(o.chargingState && { chargingState: o.chargingState }),
      ...(o.eventType === 'Ended' && { stoppedReason: 'Local' }),
    },
    ...(o.idToken && { idToken: { idToken: o.idToken, type: 'ISO14443' } }),
    ...(o.evseId !== undefined && { evse: { id: o.evseId, connectorId: 1 } }),
    ...(o.wh !== undefined && { meterValue: [energyReading(o.wh, at, context)] }),
  };
}

/** A transaction id as stations make them (a UUID is 36 characters, the most 2.0.1 allows). */
export const txId = (): string => randomUUID();
