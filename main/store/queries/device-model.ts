import type { Db } from '../db.js';
import { stmt } from '../statements.js';

/** A variable as OCPP 2.0.1 names it: a component (with its instance and EVSE) and a variable (with its instance). */
export interface VariableRef {
  component: { name: string; instance?: string; evse?: { id: number; connectorId?: number } };
  variable: { name: string; instance?: string };
}

/** One attribute of one variable a 2.0.1 station reported (NotifyReport), as stored and shown. */
export interface DeviceVariable {
  component: string;
  componentInstance: string | null;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: string | null;
  attributeType: string;
  value: string | null;
  mutability: string | null;
  dataType: string | null;
  unit: string | null;
}

/** A report's variables replace what the same variables said before (a new GetBaseReport refreshes them). */
export function upsertDeviceVariables(db: Db, chargePointId: string, requestId: number, rows: readonly DeviceVariable[], at: string): void {
  const upsert = stmt(
    db,
    `INSERT INTO device_model(charge_point_id, component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type,
       value, mutability, data_type, unit, report_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(charge_point_id, component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type) DO UPDATE SET
       value = excluded.value, mutability = excluded.mutability, data_type = excluded.data_type, unit = excluded.unit,
       report_id = excluded.report_id, updated_at = excluded.updated_at`,
  );
  // Absent instance / EVSE / connector are stored as '' and -1: they are part of the key.
  for (const r of rows) {
    upsert.run(
      chargePointId,
      r.component,
      r.componentInstance ?? '',
      r.evseId ?? -1,
      r.connectorId ?? -1,
      r.variable,
      r.variableInstance ?? '',
      r.attributeType,
      r.value,
      r.mutability,
      r.dataType,
      r.unit,
      requestId,
      at,
    );
  }
}

export function listDeviceVariables(db: Db, chargePointId: string): Array<DeviceVariable & { updatedAt: string }> {
  return stmt(
    db,
    `SELECT component, nullif(component_instance, '') AS componentInstance, nullif(evse_id, -1) AS evseId, nullif(connector_id, -1) AS connectorId,
       variable, nullif(variable_instance, '') AS variableInstance, attribute_type AS attributeType, value, mutability, data_type AS dataType, unit,
       updated_at AS updatedAt FROM device_model WHERE charge_point_id = ?
     ORDER BY component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type`,
  ).all(chargePointId) as Array<DeviceVariable & { updatedAt: string }>;
}

/** The columns that name a variable in device_model, from its reference (NotifyReport stores by them, lookups find by them). */
export function variableColumns(r: VariableRef): Pick<DeviceVariable, 'component' | 'componentInstance' | 'evseId' | 'connectorId' | 'variable' | 'variableInstance'> {
  return {
    component: r.component.name,
    componentInstance: r.component.instance ?? null,
    evseId: r.component.evse?.id ?? null,
    connectorId: r.component.evse?.connectorId ?? null,
    variable: r.variable.name,
    variableInstance: r.variable.instance ?? null,
  };
}

/** The mutability the station reported for a variable's Actual value (ReadOnly, WriteOnly, ReadWrite), if it did. */
export function variableMutability(db: Db, chargePointId: string, ref: VariableRef): string | undefined {
  const v = variableColumns(ref);
  const row = stmt(
    db,
    `SELECT mutability FROM device_model WHERE charge_point_id = ? AND component = ? AND component_instance = ? AND evse_id = ? AND connector_id = ?
       AND variable = ? AND variable_instance = ? AND attribute_type = 'Actual'`,
  ).get(chargePointId, v.component, v.componentInstance ?? '', v.evseId ?? -1, v.connectorId ?? -1, v.variable, v.variableInstance ?? '') as { mutability: string | null } | undefined;
  return row?.mutability ?? undefined;
}
