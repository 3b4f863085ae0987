import { notifications } from '@mantine/notifications'
import { useEffect, useState } from 'react'
import { isDeepLinkHash, parseDeepLink, routeDeepLink } from '../../../shared/deep-link'
import { api, errorText } from '../api'
import { routeHash } from '../routes'

const landOn = (hash: string) => {
  history.replaceState(null, '', hash)
  window.dispatchEvent(new HashChangeEvent('hashchange'))
}

/**
 * The location hash the app routes on. A link of the switchyard:// form (#/open/<env>/<view>/…,
 * #/incident/<env>?from…, or handed over by the desktop app) is resolved against the inventory
 * into the app's own form first; while it is, `resolving` is true.
 */
export function useDeepLinkHash(): { hash: string; resolving: boolean } {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const on = () => setHash(location.hash)
    window.addEventListener('hashchange', on)
    const off = api.on('app:open-link', ({ path }) => {
      location.hash = `#/${path}`
    })
    return () => {
      window.removeEventListener('hashchange', on)
      off()
    }
  }, [])
  const resolving = isDeepLinkHash(hash)
  useEffect(() => {
    if (!resolving) return
    let link
    try {
      link = parseDeepLink(hash)
    } catch (err) {
      notifications.show({ color: 'red', title: 'This link cannot be opened', message: (err as Error).message, autoClose: 15_000 })
      landOn('#/overview')
      return
    }
    api.request('env:list', {}).then(
      (list) => {
        const target = routeDeepLink(
          link,
          list.map((v) => ({ name: v.environment.name, endpoints: v.environment.endpoints })),
        )
        if (target.notice) notifications.show({ color: 'yellow', title: 'Opened what exists of this link', message: target.notice, autoClose: 15_000 })
        landOn(routeHash(target))
      },
      (err: unknown) => {
        notifications.show({ color: 'red', title: 'The link could not be resolved', message: errorText(err) })
        landOn('#/overview')
      },
    )
  }, [hash, resolving])
  return { hash, resolving }
}
