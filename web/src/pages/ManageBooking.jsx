import { useEffect, useState } from 'preact/hooks';
import { api, NetworkError } from '../api.js';
import { named, t } from '../i18n.js';
import { digits, latinDigits, longInstant } from '../format.js';
import { features } from '../features.js';
import { journey } from '../journey.js';
import { navigate } from '../router.js';
import { citizen } from '../session.js';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { Page } from '../components/Page.jsx';
import { Loading } from '../components/Status.jsx';
import { TextField } from '../components/TextField.jsx';

const problemText = (e) => (e instanceof NetworkError || !e.message_ ? t('networkError') : e.message_());

/** See or cancel a booking with its tracking ID and access code (sent as X-Access-Code, never in
 * the URL), or with the citizen's session after a mobile check (from "my bookings"). The code stays
 * in this page's memory only. */
export function ManageBooking({ bookingId = '' }) {
  // Back from moving this booking (the code is still in memory): show it at once.
  const managed = journey.managed()?.booking.booking_id === bookingId ? journey.managed() : null;
  const [live] = useState(() => citizen.current());
  const [opening, setOpening] = useState(Boolean(bookingId && live && !managed));
  const [values, setValues] = useState({ booking_id: bookingId, access_code: managed?.code || '' });
  const [errors, setErrors] = useState([]);
  const [booking, setBooking] = useState(managed?.booking || null);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const set = (field) => (value) => setValues({ ...values, [field]: value });
  const id = values.booking_id.trim().toUpperCase();
  // No code: the calls go with the session (a booking opened from "my bookings").
  const code = latinDigits(values.access_code).trim().toUpperCase() || null;

  // A citizen with a session opens their booking without its code; one that is not theirs (or a
  // session the API no longer knows) leaves the code form, as without a session.
  useEffect(() => {
    if (!opening) return;
    api.booking(bookingId, null).then((found) => {
      setBooking(found);
      journey.setManaged({ booking: found, code: null });
    }, () => {}).finally(() => setOpening(false));
  }, [bookingId]);

  const show = async (event) => {
    event.preventDefault();
    const found = [];
    if (!id) found.push({ field: 'booking_id', message: t('bookingIdRequired') });
    if (!code) found.push({ field: 'access_code', message: t('accessCodeRequired') });
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    try {
      const found = await api.booking(id, code);
      setBooking(found);
      journey.setManaged({ booking: found, code });
    } catch (e) {
      setErrors([{ field: e.status === 404 ? 'access_code' : null, message: e.status === 404 ? t('notFound') : problemText(e) }]);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    setBusy(true);
    try {
      const cancelled = await api.cancel(booking.booking_id, code);
      setBooking(cancelled);
      journey.setManaged({ booking: cancelled, code });
      setDone(true);
      setConfirming(false);
    } catch (e) {
      setErrors([{ field: null, message: problemText(e) }]);
    } finally {
      setBusy(false);
    }
  };

  const errorOf = (field) => errors.find((e) => e.field === field)?.message;
  return (
    <Page title={t('manageTitle')} hasErrors={errors.length > 0} back={live ? '/me' : '/'}>
      <ErrorSummary errors={errors} />
      {done && <div class="panel" role="status"><p class="panel__title">{t('cancelled')}</p></div>}
      {!done && managed?.changed && <div class="panel" role="status"><p class="panel__title">{t('changed')}</p></div>}
      {opening && <Loading />}
      {!booking && !opening && (
        <form onSubmit={show} noValidate>
          <TextField id="booking_id" label={t('bookingIdLabel')} hint={t('bookingIdHint')} error={errorOf('booking_id')}
            value={values.booking_id} onInput={set('booking_id')} dir="ltr" autoComplete="off" width="20" />
          <TextField id="access_code" label={t('accessCodeLabel')} hint={t('accessCodeHint')}
            error={errorOf('access_code')} value={values.access_code} onInput={set('access_code')} dir="ltr"
            autoComplete="off" width="10" />
          <button class="button" type="submit" disabled={busy}>{t('showBooking')}</button>
          {features.mobileCheck && <p><a href="/me">{t('lostAccessCode')}</a></p>}
        </form>
      )}
      {booking && (
        <>
          <dl class="summary">
            <div class="summary__row"><dt>{t('trackingId')}</dt><dd><bdi dir="ltr">{booking.booking_id}</bdi></dd></div>
            <div class="summary__row"><dt>{t('statusRow')}</dt><dd data-testid="booking-status">{t('statuses')[booking.status] || booking.status}</dd></div>
            <div class="summary__row"><dt>{t('serviceRow')}</dt><dd>{named(booking.service)}</dd></div>
            <div class="summary__row"><dt>{t('officeRow')}</dt><dd>{named(booking.office)}</dd></div>
            <div class="summary__row"><dt>{t('whenRow')}</dt><dd>{longInstant(booking.start)}</dd></div>
            <div class="summary__row"><dt>{t('nationalIdRow')}</dt><dd><bdi dir="ltr">{digits(booking.national_id)}</bdi></dd></div>
            <div class="summary__row"><dt>{t('mobileRow')}</dt><dd><bdi dir="ltr">{digits(booking.mobile)}</bdi></dd></div>
          </dl>
          {booking.status === 'BOOKED' && !confirming && (
            <p class="actions">
              <button class="button button--secondary" type="button" onClick={() => navigate(
                `/offices/${booking.office.office_id}/services/${booking.service.service_id}/days?change=${booking.booking_id}`,
              )}>{t('changeTime')}</button>
              <button class="button button--warning" type="button" onClick={() => setConfirming(true)}>{t('cancelBooking')}</button>
            </p>
          )}
          {confirming && (
            <div class="notice notice--warning">
              <p>{t('cancelConfirm')}</p>
              <button class="button button--warning" type="button" onClick={cancel} disabled={busy}>{t('cancelYes')}</button>
            </div>
          )}
        </>
      )}
    </Page>
  );
}
