/** Injected by the build from package.json; "dev" when running from source. */
declare const __SWITCHYARD_VERSION__: string | undefined

export const VERSION = typeof __SWITCHYARD_VERSION__ === 'string' ? __SWITCHYARD_VERSION__ : 'dev'
