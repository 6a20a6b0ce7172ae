import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { named, t } from '../i18n.js';
import { digits, instantIn, longInstant } from '../format.js';
import { features } from '../features.js';
import { navigate } from '../router.js';
import { citizen } from '../session.js';
import { MobileCheckForm } from '../components/MobileCheckForm.jsx';
import { Page } from '../components/Page.jsx';
import { Failure, Loading } from '../components/Status.jsx';
import { NotFound } from './NotFound.jsx';

function BookingCard({ booking }) {
  const when = longInstant(booking.start);
  return (
    <li class="card" data-testid="my-booking">
      <h3 class="card__title">{named(booking.service)}</h3>
      <dl class="facts">
        <div><dt>{t('whenRow')}</dt><dd>{when}</dd></div>
        <div><dt>{t('officeRow')}</dt><dd>{named(booking.office)}</dd></div>
        <div><dt>{t('statusRow')}</dt><dd>{t('statuses')[booking.status] || booking.status}</dd></div>
        <div><dt>{t('trackingId')}</dt><dd><bdi dir="ltr">{booking.booking_id}</bdi></dd></div>
      </dl>
      <p class="card__action">
        <a href={`/bookings/${booking.booking_id}`}>
          {t('manageMine')}<span class="visually-hidden">{`: ${named(booking.service)}، ${when}`}</span>
        </a>
      </p>
    </li>
  );
}

function RequestCard({ request }) {
  const tz = request.time_zone || 'Asia/Tehran';
  return (
    <li class="card" data-testid="my-request">
      <h3 class="card__title">{named(request.service)}</h3>
      <dl class="facts">
        <div><dt>{t('statusRow')}</dt><dd>{t('requestStatuses')[request.status] || request.status}</dd></div>
        <div><dt>{t('officeRow')}</dt><dd>{request.office ? named(request.office) : t('inNetworkQueue')}</dd></div>
        <div><dt>{t('deadlineRow')}</dt><dd>{instantIn(request.sla_deadline.at, tz)}</dd></div>
        <div><dt>{t('trackingCode')}</dt><dd><bdi dir="ltr">{request.tracking_code}</bdi></dd></div>
      </dl>
    </li>
  );
}

/** One list of the citizen's: loading, failed, empty or its cards. */
function Section({ id, title, result, empty, children }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {!result && <Loading />}
      {result?.error && <Failure error={result.error} />}
      {result?.items && (result.items.length ? <ul class="cards">{result.items.map(children)}</ul> : <p>{empty}</p>)}
    </section>
  );
}

function Mine({ live, onLapsed }) {
  const [bookings, setBookings] = useState(null);
  const [requests, setRequests] = useState(null);
  useEffect(() => {
    const settle = (set) => [(page) => set({ items: page.items }), (error) => {
      if (error.status === 401) onLapsed();
      else set({ error });
    }];
    api.myBookings().then(...settle(setBookings));
    api.myRequests().then(...settle(setRequests));
  }, []);
  const signOut = () => {
    citizen.clear();
    navigate('/');
  };
  return (
    <Page title={t('mineTitle')} back="/">
      <p>{t('mineAs', `\u2066${digits(live.masked?.mobile || live.mobile)}\u2069`)}</p>
      <Section id="my-bookings-title" title={t('myBookingsTitle')} result={bookings} empty={t('noBookings')}>
        {(b) => <BookingCard key={b.booking_id} booking={b} />}
      </Section>
      <Section id="my-requests-title" title={t('myRequestsTitle')} result={requests} empty={t('noRequests')}>
        {(r) => <RequestCard key={r.tracking_code} request={r} />}
      </Section>
      <p class="actions">
        <a class="button button--secondary" href="/">{t('bookAnother')}</a>
        <button class="button button--secondary" type="button" onClick={signOut}>{t('signOut')}</button>
      </p>
    </Page>
  );
}

/** "My bookings": after a mobile check, the citizen's live bookings (each to see, move or cancel
 * with the session, no access code needed) and their remote requests. The way back for a citizen
 * who lost an access code. */
export function MyBookings() {
  const [live, setLive] = useState(() => citizen.current());
  const [lapsed, setLapsed] = useState(false);
  if (!features.mobileCheck) return <NotFound />;
  if (!live) {
    return (
      <MobileCheckForm title={t('mineTitle')} intro={t('mineIntro')} back="/" onVerified={setLive}
        notice={lapsed ? t('sessionLapsedBody') : null} />
    );
  }
  return <Mine live={live} onLapsed={() => { setLapsed(true); setLive(null); }} />;
}

