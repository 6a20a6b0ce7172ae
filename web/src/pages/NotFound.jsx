import { t } from '../i18n.js';
import { Page } from '../components/Page.jsx';

export function NotFound() {
  return (
    <Page title={t('notFoundTitle')}>
      <p><a href="/">{t('home')}</a></p>
    </Page>
  );
}
