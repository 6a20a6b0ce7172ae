import { useState } from 'preact/hooks';
import { api, NetworkError } from '../api.js';
import { named, t } from '../i18n.js';
import { digits, longInstant } from '../format.js';
import { features } from '../features.js';
import { journey } from '../journey.js';
import { navigate } from '../router.js';
import { citizen } from '../session.js';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { Page } from '../components/Page.jsx';
import { JourneyLost } from './JourneyLost.jsx';
import { DETAIL_FIELDS } from './YourDetails.jsx';

// One Idempotency-Key per distinct booking body: a retry after a lost answer sends the same key and
// gets the first result; a corrected body (a fixed national ID) is a new request with a new key.
let attempt = { key: null, body: null };
function keyFor(body) {
  const text = JSON.stringify(body);
  if (attempt.body !== text) attempt = { key: crypto.randomUUID(), body: text };
  return attempt.key;
}

function Row({ label, value, change, ltr }) {
  return (
    <div class="summary__row">
      <dt>{label}</dt>
      <dd>{ltr ? <bdi dir="ltr">{value}</bdi> : value}</dd>
      <dd class="summary__change">{change && <a href={change}>{t('change')}<span class="visually-hidden"> {label}</span></a>}</dd>
    </div>
  );
}

/** Check your answers, then book (POST /v1/bookings with an Idempotency-Key and the hold). */
export function CheckAnswers() {
  const state = journey.get();
  const [errors, setErrors] = useState([]);
  const [expired, setExpired] = useState(false);
  const [busy, setBusy] = useState(false);

  if (state.booked) {
    return (
      <Page title={t('alreadyBooked')}>
        <p><a class="button" href="/book/confirmation">{t('seeConfirmation')}</a></p>
      </Page>
    );
  }
  // With the mobile check, who books is who the session proves (the details add only a name); a
  // session that lapsed is checked again, the time still held.
  const verified = features.mobileCheck ? citizen.current() : null;
  const details = journey.details() || (verified && {});
  if (!state.hold || !details) return <JourneyLost />;
  const mobileCheck = () => navigate('/book/mobile-check');

  const days = `/offices/${state.officeId}/services/${state.serviceId}/days`;
  const book = async () => {
    const live = features.mobileCheck ? citizen.current() : null;
    if (features.mobileCheck && !live) {
      mobileCheck();
      return;
    }
    const who = live || details;
    const body = {
      office_id: state.officeId, service_id: state.serviceId, start: state.slot.at, hold_id: state.hold.hold_id,
      national_id: who.national_id, mobile: who.mobile, ...(details.name ? { name: details.name } : {}),
    };
    setBusy(true);
    setErrors([]);
    try {
      const created = await api.book(body, keyFor(body));
      journey.setLastBooking(created);
      journey.update({ booked: created.booking_id, hold: null });
      // Pushed, not replaced: the back button then lands on this page, which says it is done.
      navigate('/book/confirmation');
    } catch (e) {
      const fieldErrors = (e.body?.errors || []).filter((f) => DETAIL_FIELDS.includes(f.field));
      if (e.status === 401 && features.mobileCheck) {
        mobileCheck();
      } else if (e.status === 422 && fieldErrors.length) {
        journey.update({ fieldErrors });
        navigate('/book/details?errors=1');
      } else if (e.kind === 'hold-expired') {
        setExpired(true);
        setErrors([{ field: null, message: t('holdExpired') }]);
      } else {
        setErrors([{ field: null, message: e instanceof NetworkError || !e.message_ ? t('networkError') : e.message_() }]);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t('checkTitle')} hasErrors={errors.length > 0} back="/book/details">
      <ErrorSummary errors={errors} />
      {expired && <p><a class="button" href={`${days}/${state.slot.at.slice(0, 10)}`}>{t('chooseTimeAgain')}</a></p>}
      <dl class="summary">
        <Row label={t('serviceRow')} value={named(state.service)} change="/" />
        <Row label={t('officeRow')} value={named(state.office)} change={`/services/${state.serviceId}/where`} />
        <Row label={t('whenRow')} value={longInstant(state.slot)} change={days} />
        <Row label={t('nationalIdRow')} value={digits((verified || details).national_id)} ltr
          change={features.mobileCheck ? '/book/mobile-check' : '/book/details'} />
        <Row label={t('mobileRow')} value={digits((verified || details).mobile)} ltr
          change={features.mobileCheck ? '/book/mobile-check' : '/book/details'} />
        {details.name && <Row label={t('nameRow')} value={details.name} change="/book/details" />}
      </dl>
      <button class="button" type="button" onClick={book} disabled={busy}>
        {busy ? t('booking') : t('bookNow')}
      </button>
    </Page>
  );
}
