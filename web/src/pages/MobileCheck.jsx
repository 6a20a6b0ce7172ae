import { t } from '../i18n.js';
import { features } from '../features.js';
import { holdTime, timesPage } from '../holding.js';
import { journey } from '../journey.js';
import { navigate } from '../router.js';
import { MobileCheckForm } from '../components/MobileCheckForm.jsx';
import { Page } from '../components/Page.jsx';
import { JourneyLost } from './JourneyLost.jsx';

/** The booking journey's mobile check, between choosing a time and holding it: holds need the
 * citizen's session. Verified, the chosen time is held and the journey goes on to your details;
 * a time taken meanwhile sends the citizen back to the times, which say so. A citizen whose session
 * lapsed while a time was already held checks again and goes back to the details. */
export function MobileCheck() {
  const state = journey.get();
  if (!features.mobileCheck) return <JourneyLost />;
  if (state.booked) {
    return (
      <Page title={t('alreadyBooked')}>
        <p><a class="button" href="/book/confirmation">{t('seeConfirmation')}</a></p>
      </Page>
    );
  }
  const choice = state.chosen || (state.hold && { officeId: state.officeId, serviceId: state.serviceId, slot: state.slot });
  if (!choice) return <JourneyLost />;

  const onVerified = async () => {
    if (!state.chosen) {
      navigate('/book/details', { replace: true });
      return;
    }
    try {
      await holdTime(state.chosen);
      // Replaced: back from the details goes to the times, not to a code already used.
      navigate('/book/details', { replace: true });
    } catch (e) {
      journey.update({ holdRefused: { kind: e.kind || null, body: e.body || null } });
      navigate(timesPage(state.chosen), { replace: true });
    }
  };
  const details = journey.details() || {};
  return (
    <MobileCheckForm title={t('mobileCheckTitle')} intro={t('mobileCheckBooking')} back={timesPage(choice)}
      initial={details} onVerified={onVerified} />
  );
}
