import type { Answer } from './client';

/** Names for the API answers the screens read, all from the generated document types (schema.d.ts). */
export type ChargerPage = Answer<'/api/ui/chargers'>;
export type ChargerDetail = Answer<'/api/charger/{cpId}'>;
/** A charger as the table and the detail both show it: the registry fields and connector states. */
export type Charger = ChargerPage['items'][number];
/** A connector as the table has it; the detail and the live status events add its info and time. */
/** One attribute of a variable of a 2.0.1 station's device model (NotifyReport). */
export type DeviceVariable = ChargerDetail['deviceModel'][number];
export type ConnectorState = Charger['connectors'][number] & Partial<Pick<ChargerDetail['connectors'][number], 'info' | 'statusAt'>>;
export type Summary = Answer<'/api/ui/summary'>;
export type Session = Answer<'/api/sessions'>['items'][number];
export type Sample = Answer<'/api/sessions/{id}/meter-values'>[number];
export type LoggedMessage = Answer<'/api/ui/chargers/{cpId}/messages'>['items'][number];
export type StatusReport = Answer<'/api/ui/chargers/{cpId}/status-history'>[number];
export type CommandOutcome = Answer<'/api/admin/{cpId}/reset', 'post'>;
export type RfidCard = Answer<'/api/rfid'>[number];
export type ImportReport = Answer<'/api/ui/rfid/import', 'post'>;
export type AuditEntry = Answer<'/api/audit'>[number];
export type Setting = Answer<'/api/ui/settings'>[number];
export type Backup = Answer<'/api/backups'>[number];
export type SyncStatus = Answer<'/api/sync'>;
export type SyncProgress = NonNullable<SyncStatus['running']>;
export type ParkedRecord = Answer<'/api/sync/parked'>[number];
export type LoadState = Answer<'/api/load'>;
export type LoadCharger = LoadState['chargers'][number];
export type Circuit = Answer<'/api/load/circuits'>[number];
export type Device = Answer<'/api/discovery/devices'>[number];
export type Provisioning = Answer<'/api/provisioning/{cpId}'>;
export type ProvisioningStep = Provisioning['steps'][number];
export type ConnectionSettings = Answer<'/api/provisioning/chargers', 'post'>['settings'];
export type Template = Answer<'/api/provisioning/templates'>[number];
/** A template as the editor holds it (the server sets updatedAt). */
export type TemplateDraft = Omit<Template, 'updatedAt'>;
