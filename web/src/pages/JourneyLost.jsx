import { t } from '../i18n.js';
import { Page } from '../components/Page.jsx';

/** A journey page opened without the steps before it (a bookmark, another tab). */
export function JourneyLost() {
  return (
    <Page title={t('journeyLost')}>
      <p><a class="button" href="/">{t('startAgain')}</a></p>
    </Page>
  );
}
