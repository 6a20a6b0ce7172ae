// A small history router: real URLs (deep links work, the back button works), no hash.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();
const notify = () => listeners.forEach((fn) => fn(location.pathname + location.search));

export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

export function useLocation() {
  const [loc, setLoc] = useState(location.pathname + location.search);
  useEffect(() => {
    listeners.add(setLoc);
    return () => listeners.delete(setLoc);
  }, []);
  return loc;
}

export function startRouter() {
  addEventListener('popstate', notify);
  // Same-origin links are routed here instead of reloading the page.
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const a = event.target.closest?.('a[href]');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/v1/')) return;
    // An in-page link (the skip link, an error summary item) is the browser's own business.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
  });
}

/** Match "/offices/:office/services/:service" against a path; returns the params or null. */
export function match(pattern, path) {
  const names = [];
  const re = new RegExp(`^${pattern.replace(/:([a-z]+)/g, (_, n) => { names.push(n); return '([^/]+)'; })}/?$`);
  const m = re.exec(path);
  return m ? Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) : null;
}

export const queryParam = (name) => new URLSearchParams(location.search).get(name);
