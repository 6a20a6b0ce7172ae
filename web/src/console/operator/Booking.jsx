import { useEffect, useState } from 'preact/hooks';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { Loading } from '../../components/Status.jsx';
import { TextField } from '../../components/TextField.jsx';
import { longInstant } from '../../format.js';
import { named, t } from '../../i18n.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { operatorApi } from './api.js';
import { Id } from './parts.jsx';
import { OPERATOR_ROLES } from './roles.js';

/** One booking of the office: check the citizen in by re-entering the national ID from their card
 * (the API compares it with the booking's), or complete it once checked in. */
export function BookingPage({ bookingId }) {
  const [booking, setBooking] = useState(null);
  const [problem, setProblem] = useState(null);
  const [nationalId, setNationalId] = useState('');
  const [errors, setErrors] = useState([]);
  const [ticket, setTicket] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    operatorApi.booking(bookingId).then(setBooking, setProblem);
  }, [bookingId]);

  const checkIn = async (event) => {
    event.preventDefault();
    if (!/^[0-9۰-۹]{10}$/.test(nationalId.trim())) {
      setErrors([{ field: 'national_id', message: t('opNationalIdMissing') }]);
      return;
    }
    setBusy(true);
    try {
      const after = await operatorApi.checkIn(bookingId, nationalId.trim());
      setBooking(after);
      setTicket(after.ticket || null);
      setErrors([]);
      setProblem(null);
    } catch (err) {
      const field = err.fieldErrors?.().national_id;
      if (err.status === 422) setErrors([{ field: 'national_id', message: field || err.message_() }]);
      else setProblem(err);
    } finally {
      setBusy(false);
    }
  };

  const complete = async () => {
    setBusy(true);
    try {
      setBooking(await operatorApi.complete(bookingId));
      setProblem(null);
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };

  const error = errors.find((e) => e.field === 'national_id')?.message;
  return (
    <ConsolePage title={t('opBookingTitle')} roles={OPERATOR_ROLES} hasErrors={errors.length > 0}>
      <p><a class="back-link" href="/console/office">{t('opNavToday')}</a></p>
      <ErrorSummary errors={errors} />
      <Refusal problem={problem} />
      {!booking && !problem && <Loading />}
      {booking && (
        <>
          <dl class="facts">
            <div><dt>{t('opBooking')}</dt><dd><Id>{booking.booking_id}</Id></dd></div>
            <div><dt>{t('opService')}</dt><dd>{named(booking.service)}</dd></div>
            <div><dt>{t('opTime')}</dt><dd>{longInstant(booking.start)}</dd></div>
            <div><dt>{t('opCitizen')}</dt><dd><Id>{booking.national_id}</Id></dd></div>
            <div><dt>{t('opStatus')}</dt><dd id="booking-status" data-status={booking.status}>
              {t('opBookingStatus', booking.status)}</dd></div>
          </dl>
          {ticket && (
            <div class="panel" role="status">
              <p class="panel__title">{t('opTicketGiven')}</p>
              <p class="code" id="ticket-label"><bdi>{ticket.label_fa}</bdi></p>
            </div>
          )}
          {booking.status === 'BOOKED' && (
            <form onSubmit={checkIn} noValidate>
              <h2>{t('opCheckIn')}</h2>
              <TextField id="national_id" label={t('opNationalIdLabel')} hint={t('opNationalIdHint')} error={error}
                value={nationalId} onInput={setNationalId} inputMode="numeric" autoComplete="off" dir="ltr" width="10"
                maxLength={10} />
              <div class="actions"><button class="button" type="submit" disabled={busy}>{t('opCheckIn')}</button></div>
            </form>
          )}
          {booking.status === 'CHECKED_IN' && (
            <div class="actions">
              <button class="button" type="button" disabled={busy} onClick={complete}>{t('opComplete')}</button>
            </div>
          )}
        </>
      )}
    </ConsolePage>
  );
}
