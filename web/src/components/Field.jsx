/** A field's frame (GOV.UK pattern): its label, its hint and its error beside it. The control goes
 * inside and points at them with `describedBy(id, hint, error)`. */
export const describedBy = (id, hint, error) =>
  [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;

export function Field({ id, label, hint, error, children }) {
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <label for={id}>{label}</label>
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="field-error" id={`${id}-error`}><span class="visually-hidden">{'⚠ '}</span>{error}</p>}
      {children}
    </div>
  );
}
