/** What the desktop app tells the user when the core cannot start: the cause and what to do. */
export function startupErrorMessage(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown; port?: unknown; cause?: { message?: unknown } } | null;
  if (e?.code === 'EADDRINUSE') {
    return `Port ${String(e.port)} is already in use: another OCPP Edge (for example "npm run serve") or another program is listening on it.\n\nStop it, or give OCPP Edge another port ("port" in config.json in the data folder, or OCPP_EDGE_PORT).`;
  }
  const cause = e?.cause?.message ? `\n\nCause: ${String(e.cause.message)}` : '';
  return `${String(e?.message ?? err)}${cause}`;
}
