// One API read of a manager's page: {data, error} once it settles, and reload() after a change.
import { useCallback, useEffect, useState } from 'preact/hooks';

export function useLoad(read, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const load = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    return read().then((data) => setState({ data, error: null, loading: false }),
      (error) => setState({ data: null, error, loading: false }));
  }, deps);
  useEffect(() => { load(); }, [load]);
  return { ...state, reload: load, set: (data) => setState({ data, error: null, loading: false }) };
}
