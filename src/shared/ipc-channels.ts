/** Electron IPC channel names; the preload and the router are their only users. Kept free of zod so the preload stays tiny. */
export const IPC_REQUEST = 'switchyard:request'
export const IPC_EVENT = 'switchyard:event'
