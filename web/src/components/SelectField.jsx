/** A labelled select with its hint and its error beside it (GOV.UK pattern); `groups` are
 * [{label, options: [{value, text}]}], shown as option groups. */
export function SelectField({ id, label, hint, error, value, onChange, placeholder, groups, width = 'full' }) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <label for={id}>{label}</label>
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="field-error" id={`${id}-error`}><span class="visually-hidden">{'⚠ '}</span>{error}</p>}
      <select id={id} name={id} value={value} class={`input input--${width}`} aria-describedby={described}
        aria-invalid={error ? 'true' : undefined} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{placeholder}</option>
        {groups.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.options.map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
          </optgroup>
        ))}
      </select>
    </div>
  );
}
