/** A labelled input with its hint and its error beside it (GOV.UK pattern). */
export function TextField({ id, label, hint, error, value, onInput, type = 'text', inputMode, autoComplete, dir,
  width = 'full', maxLength }) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <label for={id}>{label}</label>
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="field-error" id={`${id}-error`}><span class="visually-hidden">{'⚠ '}</span>{error}</p>}
      <input id={id} name={id} type={type} value={value} inputMode={inputMode} autoComplete={autoComplete}
        dir={dir} maxLength={maxLength} class={`input input--${width}`} aria-describedby={described}
        aria-invalid={error ? 'true' : undefined} onInput={(e) => onInput(e.currentTarget.value)} />
    </div>
  );
}
