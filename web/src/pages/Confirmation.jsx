import { useEffect, useMemo } from 'preact/hooks';
import { named, t } from '../i18n.js';
import { longInstant } from '../format.js';
import { bookingIcs } from '../ics.js';
import { journey } from '../journey.js';
import { Page } from '../components/Page.jsx';

/** The confirmation: tracking ID and the access code (shown this once: it lives only in this page's
 * memory), what happens next, an .ics file, and the way to manage the booking. */
export function Confirmation() {
  const booking = journey.lastBooking();
  const state = journey.get();
  const duration = state.service?.duration_min || 15;
  const icsUrl = useMemo(() => booking && URL.createObjectURL(
    new Blob([bookingIcs(booking, duration)], { type: 'text/calendar;charset=utf-8' })), [booking]);
  useEffect(() => () => icsUrl && URL.revokeObjectURL(icsUrl), [icsUrl]);

  if (!booking) {
    return (
      <Page title={t('manageTitle')}>
        <p>{t('confirmGone')}</p>
        <p><a class="button" href={state.booked ? `/bookings/${state.booked}` : '/bookings/manage'}>{t('showBooking')}</a></p>
      </Page>
    );
  }
  return (
    <Page title={t('confirmTitle')}>
      <div class="panel">
        <dl>
          <div><dt>{t('trackingId')}</dt><dd><bdi dir="ltr" class="code" data-testid="tracking-id">{booking.booking_id}</bdi></dd></div>
          <div><dt>{t('accessCode')}</dt><dd><bdi dir="ltr" class="code" data-testid="access-code">{booking.access_code}</bdi></dd></div>
        </dl>
      </div>
      <p class="notice notice--warning"><strong>{t('accessCodeOnce')}</strong></p>
      <dl class="summary">
        <div class="summary__row"><dt>{t('serviceRow')}</dt><dd>{named(booking.service)}</dd></div>
        <div class="summary__row"><dt>{t('officeRow')}</dt><dd>{named(booking.office)}</dd></div>
        <div class="summary__row"><dt>{t('whenRow')}</dt><dd>{longInstant(booking.start)}</dd></div>
      </dl>
      <h2>{t('whatNext')}</h2>
      <p>{t('smsPromise')}</p>
      <p>{t('bringId')}</p>
      <p class="actions">
        <a class="button button--secondary" href={icsUrl} download={`${booking.booking_id}.ics`}>{t('addToCalendar')}</a>
        <a class="button button--secondary" href={`/bookings/${booking.booking_id}`}>{t('manageThis')}</a>
      </p>
    </Page>
  );
}
