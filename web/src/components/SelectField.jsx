import { Field, describedBy } from './Field.jsx';

/** A labelled select with its hint and its error beside it (GOV.UK pattern); `groups` are
 * [{label, options: [{value, text}]}], shown as option groups. */
export function SelectField({ id, label, hint, error, value, onChange, placeholder, groups, width = 'full' }) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <select id={id} name={id} value={value} class={`input input--${width}`} aria-describedby={describedBy(id, hint, error)}
        aria-invalid={error ? 'true' : undefined} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{placeholder}</option>
        {groups.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.options.map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
          </optgroup>
        ))}
      </select>
    </Field>
  );
}
