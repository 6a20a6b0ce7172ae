import { NetworkError } from '../api.js';
import { t } from '../i18n.js';

export const Loading = () => <p class="loading" role="status">{t('loading')}</p>;

/** A failed call that concerns the whole page (not one field). */
export function Failure({ error }) {
  if (!error) return null;
  const text = error instanceof NetworkError || !error.message_ ? t('networkError') : error.message_();
  return <div class="notice notice--error" role="alert">{text}</div>;
}
