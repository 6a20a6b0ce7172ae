import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { staffPoll } from '../api.js';

/** Keep a staff list fresh without reloading: GET `path` now and every `everyMs` with the last
 * ETag (If-None-Match); a 304 changes nothing, a 200 replaces the data. Polling pauses while the
 * tab is hidden and resumes (with an immediate check) when it shows again. Returns
 * {data, error, refresh} — `refresh()` checks at once (after an action). */
export function usePoll(path, query, everyMs = 5000) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const etag = useRef(null);
  const key = `${path}?${new URLSearchParams(query || {})}`;
  const latest = useRef(key);
  latest.current = key;

  const refresh = useCallback(async () => {
    const asked = key;
    try {
      const result = await staffPoll(path, { query, etag: etag.current });
      if (latest.current !== asked) return;  // the page moved on (another day, another filter)
      if (result.changed) {
        etag.current = result.etag;
        setData(result.data);
      }
      setError(null);
    } catch (err) {
      if (latest.current === asked) setError(err);
    }
  }, [key]);

  useEffect(() => {
    etag.current = null;
    refresh();
    let timer = setInterval(() => { if (!document.hidden) refresh(); }, everyMs);
    const onShow = () => { if (!document.hidden) refresh(); };
    document.addEventListener('visibilitychange', onShow);
    return () => {
      clearInterval(timer);
      timer = null;
      document.removeEventListener('visibilitychange', onShow);
    };
  }, [key, everyMs]);

  return { data, error, refresh };
}
