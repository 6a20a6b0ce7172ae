// What the association's report pages share: who may open them, the representative's province, a
// loader for one API call, and a labelled select. (Their links are in the consoles' nav, ../nav.js.)
import { useEffect, useState } from 'preact/hooks';
import { staff } from '../../staff.js';

export const REPORT_ROLES = ['association-admin', 'provincial-representative'];

/** The signed-in representative's province, or null for an administrator (the whole network). */
export function ownProvince() {
  const who = staff.current();
  return who?.role === 'provincial-representative' ? who.province : null;
}

/** One API call's state: {data, error, loading}; called again when `deps` change. */
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then((data) => live && setState({ data, error: null, loading: false }))
      .catch((error) => live && setState({ data: null, error, loading: false }));
    return () => { live = false; };
  }, deps);
  return state;
}

/** A labelled select: options [{value, text}]; `all` is the first, empty option's text. */
export function Select({ id, label, value, onChange, options, all }) {
  return (
    <div class="field field--inline">
      <label for={id}>{label}</label>
      <select id={id} name={id} class="input" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {all !== undefined && <option value="">{all}</option>}
        {options.map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
      </select>
    </div>
  );
}
