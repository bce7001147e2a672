import type { Handler } from '../context.js';
import { acceptBoot } from '../domain/boot.js';

export const bootNotification: Handler<'BootNotification'> = (ctx, req) =>
  acceptBoot(ctx, {
    vendor: req.chargePointVendor,
    model: req.chargePointModel,
    serialNumber: req.chargePointSerialNumber,
    chargeBoxSerialNumber: req.chargeBoxSerialNumber,
    firmwareVersion: req.firmwareVersion,
    iccid: req.iccid,
    imsi: req.imsi,
    meterType: req.meterType,
    meterSerialNumber: req.meterSerialNumber,
  });
