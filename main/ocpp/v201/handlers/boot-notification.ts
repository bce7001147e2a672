import { acceptBoot } from '../../domain/boot.js';
import type { Handler } from '../context.js';

export const bootNotification: Handler<'BootNotification'> = (ctx, req) =>
  acceptBoot(ctx, {
    vendor: req.chargingStation.vendorName,
    model: req.chargingStation.model,
    serialNumber: req.chargingStation.serialNumber,
    firmwareVersion: req.chargingStation.firmwareVersion,
    iccid: req.chargingStation.modem?.iccid,
    imsi: req.chargingStation.modem?.imsi,
  });
