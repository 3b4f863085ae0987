import { createContext, useContext, useEffect, useState, type ReactNode } from 'react'

/** Something the current view can do, offered in the command palette. */
export interface PaletteAction {
  id: string
  label: string
  description?: string
  run: () => void
}

type SetActions = (actions: readonly PaletteAction[]) => void

// Two contexts: a view that offers actions reads only the setter, so a change of the offered
// actions repaints the palette and not the view that offered them.
const ActionsContext = createContext<readonly PaletteAction[]>([])
const SetActionsContext = createContext<SetActions>(() => undefined)

export function PaletteActionsProvider({ children }: { children: ReactNode }) {
  const [actions, set] = useState<readonly PaletteAction[]>([])
  return (
    <SetActionsContext.Provider value={set}>
      <ActionsContext.Provider value={actions}>{children}</ActionsContext.Provider>
    </SetActionsContext.Provider>
  )
}

/** The actions of the view now on screen; they leave the palette when the view does. */
export function useCurrentViewActions(): readonly PaletteAction[] {
  return useContext(ActionsContext)
}

/** Offer these actions while this view is mounted. */
export function usePaletteActions(actions: readonly PaletteAction[]): void {
  const set = useContext(SetActionsContext)
  useEffect(() => {
    set(actions)
    return () => set([])
  }, [actions, set])
}
