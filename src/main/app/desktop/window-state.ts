import { z } from 'zod'
import { readJson, writeJson } from '../../core/json-file'

/** Where the window was and what it showed, in the data folder's window-state.json. */
export const WindowState = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  maximized: z.boolean().default(false),
  /** The app's own route (#/<view>/…), never a link's: a link is used once. */
  hash: z
    .string()
    .max(2048)
    .regex(/^#\/[^\s]*$/)
    .optional(),
})
export type WindowState = z.infer<typeof WindowState>

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export const DEFAULT_SIZE = { width: 1440, height: 900 }
export const MIN_SIZE = { width: 1024, height: 640 }
/** How much of the title bar must lie on a screen for the saved place to be used: enough to grab it. */
const GRAB = { width: 120, height: 40 }

const overlap = (a: Rect, b: Rect) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y))

/**
 * Where to open the window: the saved place when enough of its title bar is on a screen that is
 * still there (a monitor unplugged since must not leave it off-screen), its size within the
 * screen's work area; otherwise centred by the OS at the saved or default size.
 */
export function placeWindow(saved: WindowState | undefined, workAreas: readonly Rect[]): { x?: number; y?: number; width: number; height: number } {
  const size = saved ?? DEFAULT_SIZE
  if (!saved || saved.x === undefined || saved.y === undefined) return fit(size, workAreas[0])
  const titleBar = { x: saved.x, y: saved.y, width: Math.min(saved.width, GRAB.width), height: GRAB.height }
  const screen = workAreas.find((a) => overlap(titleBar, a) >= (titleBar.width * titleBar.height) / 2)
  if (!screen) return fit(size, workAreas[0])
  const fitted = fit(size, screen)
  return {
    ...fitted,
    x: Math.min(Math.max(saved.x, screen.x), screen.x + screen.width - fitted.width),
    y: Math.min(Math.max(saved.y, screen.y), screen.y + screen.height - fitted.height),
  }
}

function fit(size: { width: number; height: number }, area: Rect | undefined): { width: number; height: number } {
  const clamp = (v: number, min: number, max: number | undefined) => Math.max(min, Math.min(v, max ?? v))
  return { width: clamp(size.width, MIN_SIZE.width, area?.width), height: clamp(size.height, MIN_SIZE.height, area?.height) }
}

/** The saved state, or nothing when there is none or it does not read (a torn or hand-edited file costs the place, not the start). */
export async function readWindowState(file: string): Promise<WindowState | undefined> {
  try {
    const parsed = WindowState.safeParse(await readJson<unknown>(file, undefined))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

export function writeWindowState(file: string, state: WindowState): Promise<void> {
  return writeJson(file, WindowState.parse(state))
}
