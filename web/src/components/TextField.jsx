import { Field, describedBy } from './Field.jsx';

/** A labelled input with its hint and its error beside it (GOV.UK pattern). */
export function TextField({ id, label, hint, error, value, onInput, type = 'text', inputMode, autoComplete, dir,
  width = 'full', maxLength }) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <input id={id} name={id} type={type} value={value} inputMode={inputMode} autoComplete={autoComplete}
        dir={dir} maxLength={maxLength} class={`input input--${width}`} aria-describedby={describedBy(id, hint, error)}
        aria-invalid={error ? 'true' : undefined} onInput={(e) => onInput(e.currentTarget.value)} />
    </Field>
  );
}
