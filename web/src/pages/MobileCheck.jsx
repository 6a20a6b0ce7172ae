import { t } from '../i18n.js';
import { features } from '../features.js';
import { Page } from '../components/Page.jsx';
import { JourneyLost } from './JourneyLost.jsx';

/** The mobile check: a one-time code sent by SMS, entered before the booking is made.
 *
 * PLACEHOLDER: the API has no `/v1/otp` yet, so `features.mobileCheck` is false and the journey
 * goes from your details straight to check your answers; nothing is faked here. When the endpoint
 * lands, this page asks for the code, verifies it through the API, and continues to /book/check. */
export function MobileCheck() {
  if (!features.mobileCheck) return <JourneyLost />;
  return (
    <Page title={t('mobileCheckTitle')} back="/book/details">
      <p>{t('mobileCheckPending')}</p>
    </Page>
  );
}
