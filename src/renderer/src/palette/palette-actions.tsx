import { createContext, useContext, useEffect, useState, type ReactNode } from 'react'

/** Something the current view can do, offered in the command palette. */
export interface PaletteAction {
  id: string
  label: string
  description?: string
  run: () => void
}

interface Registry {
  actions: readonly PaletteAction[]
  set: (actions: readonly PaletteAction[]) => void
}

const PaletteContext = createContext<Registry>({ actions: [], set: () => undefined })

export function PaletteActionsProvider({ children }: { children: ReactNode }) {
  const [actions, set] = useState<readonly PaletteAction[]>([])
  return <PaletteContext.Provider value={{ actions, set }}>{children}</PaletteContext.Provider>
}

/** The actions of the view now on screen; they leave the palette when the view does. */
export function useCurrentViewActions(): readonly PaletteAction[] {
  return useContext(PaletteContext).actions
}

/** Offer these actions while this view is mounted. */
export function usePaletteActions(actions: readonly PaletteAction[]): void {
  const { set } = useContext(PaletteContext)
  useEffect(() => {
    set(actions)
    return () => set([])
  }, [actions, set])
}
