import { notifications } from '@mantine/notifications'
import { useEffect } from 'react'
import { describeAlert, notifies } from '../../../../shared/domain/alert-eval'
import { api } from '../../api'
import { deepLinkPath } from '../../../../shared/deep-link'

/**
 * For as long as the app is open: alert changes from the main process become a toast and, when
 * the user allowed it, a desktop notification (the Notification API: native in Electron, the
 * browser's in web mode); either opens the page of the endpoint that fired, on its node.
 */
export function useAlertNotifications(): void {
  useEffect(() => {
    const watch = () => void api.request('alerts:watch', {}).catch(() => undefined)
    const off = api.on('alerts:changed', (a) => {
      if (!notifies(a, Date.now())) return
      const title = `${a.environment}: ${a.state === 'resolved' ? 'resolved' : `${a.level} alert`}`
      const message = describeAlert(a)
      // the link form: the router puts the endpoint on its own page
      const open = () => {
        window.focus()
        location.hash = `#/${deepLinkPath({ kind: 'open', environment: a.environment, view: 'alerts', endpoint: a.endpointId, node: a.subject })}`
      }
      notifications.show({
        title,
        message,
        color: a.state === 'resolved' ? 'teal' : a.level === 'critical' ? 'red' : 'yellow',
        onClick: open,
        autoClose: 10_000,
      })
      if ('Notification' in window && Notification.permission === 'granted') new Notification(title, { body: message, tag: a.key }).onclick = open
    })
    const offReconnect = api.onReconnect(watch)
    watch()
    return () => {
      off()
      offReconnect()
    }
  }, [])
}
