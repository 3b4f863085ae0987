import type { Page } from 'playwright-core'

/**
 * What a person sees at the common laptop widths: on every view, no button, badge or table cell
 * ends outside the box that shows it — the nearest card, the nearest container that clips or
 * scrolls, or the window — and no button label is cut to "Act…". A table that has to be scrolled
 * sideways to reach a row's actions counts as cut: at 1280 px and up nothing should need it.
 */
const CLIPPED = `(() => {
  const out = []
  const within = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return p
      if (p.matches('.mantine-Card-root, .mantine-Paper-root, .mantine-Modal-content')) return p
    }
    return document.documentElement
  }
  const name = (el) => (el.innerText || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 40)
  for (const el of document.querySelectorAll('button, a.mantine-Button-root, .mantine-Badge-root, td, th')) {
    const box = el.getBoundingClientRect()
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue
    if (el.closest('[data-echart]')) continue
    const container = within(el)
    if (container) {
      const c = container === document.documentElement ? { right: window.innerWidth } : container.getBoundingClientRect()
      if (box.right > c.right + 1) out.push(name(el) + ' ends ' + Math.round(box.right - c.right) + ' px outside its ' + (container === document.documentElement ? 'window' : 'card'))
    }
    const label = el.querySelector('.mantine-Button-label')
    if (label && label.scrollWidth > label.clientWidth + 1) out.push('button label cut: ' + name(el))
  }
  return out
})()`

/** What is cut off on the page as it is now, one line each (empty when nothing is). */
export function clippedOn(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(CLIPPED)
}
