/**
 * Quitting the desktop app stops the chargers' central system, so with chargers connected the
 * user confirms first. Returns the question to ask, or null to quit at once.
 */
export interface QuitQuestion {
  type: 'warning';
  title: string;
  message: string;
  detail: string;
  buttons: [string, string];
  defaultId: 1;
  cancelId: 1;
}

export const QUIT_BUTTON = 0;

export function quitQuestion(connectedChargers: number): QuitQuestion | null {
  if (connectedChargers <= 0) return null;
  const chargers = connectedChargers === 1 ? '1 charger is' : `${connectedChargers} chargers are`;
  return {
    type: 'warning',
    title: 'Quit OCPP Edge?',
    message: `${chargers} connected to OCPP Edge.`,
    detail: 'Quitting stops the OCPP server: the chargers lose their central system until OCPP Edge runs again.',
    buttons: ['Quit', 'Cancel'],
    // Enter and Escape both keep the app running: stopping the depot takes a deliberate click.
    defaultId: 1,
    cancelId: 1,
  };
}
