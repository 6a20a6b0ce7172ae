import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { named, t } from '../i18n.js';
import { digits, longDate, longInstant } from '../format.js';
import { features } from '../features.js';
import { citizen } from '../session.js';
import { MobileCheckForm } from '../components/MobileCheckForm.jsx';
import { Page } from '../components/Page.jsx';
import { Failure, Loading } from '../components/Status.jsx';
import { NotFound } from './NotFound.jsx';

/** The citizen's session, asking for the mobile check first when there is none (or it lapsed). */
function useCitizen() {
  const [live, setLive] = useState(() => citizen.current());
  return [live, setLive, () => setLive(null)];
}

/** The page an offer SMS links to: the seat held for the citizen (Jalali, Persian digits) and one
 * button that books it on the offer's hold, with the citizen's session. */
export function WaitlistOffer({ holdId }) {
  const [live, setLive, lapse] = useCitizen();
  const [found, setFound] = useState(null);
  const [booked, setBooked] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => crypto.randomUUID());
  useEffect(() => {
    if (!live) return;
    api.myWaitlist().then((page) => {
      for (const entry of page.items) {
        const place = entry.places.find((p) => p.offer?.hold_id === holdId);
        if (place) return setFound({ entry, offer: place.offer });
      }
      return setFound({ gone: true });
    }, (e) => (e.status === 401 ? lapse() : setError(e)));
  }, [live]);
  if (!features.mobileCheck) return <NotFound />;
  if (!live) {
    return <MobileCheckForm title={t('offerTitle')} intro={t('offerIntro')} back="/" onVerified={setLive} />;
  }
  const confirm = () => {
    const { entry, offer } = found;
    setBusy(true);
    setError(null);
    api.book({ office_id: entry.office.office_id, service_id: entry.service.service_id, start: offer.start.at,
      national_id: live.national_id, mobile: live.mobile, hold_id: offer.hold_id }, key)
      .then(setBooked, (e) => (e.status === 401 ? lapse() : setError(e)))
      .finally(() => setBusy(false));
  };
  if (booked) {
    return (
      <Page title={t('offerBookedTitle')} back="/me">
        <dl class="facts" data-testid="offer-booked">
          <div><dt>{t('whenRow')}</dt><dd>{longInstant(booked.start)}</dd></div>
          <div><dt>{t('trackingId')}</dt><dd><bdi dir="ltr">{booked.booking_id}</bdi></dd></div>
          {booked.access_code && <div><dt>{t('accessCode')}</dt><dd><bdi dir="ltr">{booked.access_code}</bdi></dd></div>}
        </dl>
        <p class="actions"><a class="button button--secondary" href="/me">{t('mineTitle')}</a></p>
      </Page>
    );
  }
  return (
    <Page title={t('offerTitle')} back="/me">
      {!found && !error && <Loading />}
      {error && <Failure error={error} />}
      {found?.gone && <p>{t('offerGone')}</p>}
      {found?.offer && (
        <>
          <dl class="facts" data-testid="offer">
            <div><dt>{t('serviceRow')}</dt><dd>{named(found.entry.service)}</dd></div>
            <div><dt>{t('officeRow')}</dt><dd>{named(found.entry.office)}</dd></div>
            <div><dt>{t('whenRow')}</dt><dd>{longInstant(found.offer.start)}</dd></div>
            <div><dt>{t('offerUntilRow')}</dt><dd>{longInstant(found.offer.expires)}</dd></div>
          </dl>
          <p class="actions">
            <button class="button" type="button" onClick={confirm} disabled={busy}>{t('offerConfirm')}</button>
          </p>
        </>
      )}
    </Page>
  );
}

/** "Tell me if a seat frees up": the citizen joins the office's line for the service on that day. */
export function WaitlistJoin({ officeId, serviceId, date }) {
  const [live, setLive, lapse] = useCitizen();
  const [joined, setJoined] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  if (!features.mobileCheck || !officeId || !serviceId || !date) return <NotFound />;
  if (!live) {
    return <MobileCheckForm title={t('waitTitle')} intro={t('waitIntro')} back="/" onVerified={setLive} />;
  }
  const join = () => {
    setBusy(true);
    setError(null);
    api.joinWaitlist({ office_id: officeId, service_id: serviceId, days: [date], national_id: live.national_id,
      mobile: live.mobile }).then(setJoined, (e) => (e.status === 401 ? lapse() : setError(e)))
      .finally(() => setBusy(false));
  };
  return (
    <Page title={t('waitTitle')} back={`/offices/${officeId}/services/${serviceId}/days/${date}`}>
      {error && <Failure error={error} />}
      {joined ? (
        <p data-testid="waitlist-joined">{t('waitJoined', named(joined.office), named(joined.service),
          longDate(joined.days[0].jalali, joined.days[0].date), `\u2066${digits(live.masked?.mobile || live.mobile)}\u2069`)}</p>
      ) : (
        <>
          <p>{t('waitExplain')}</p>
          <p class="actions">
            <button class="button" type="button" onClick={join} disabled={busy}>{t('waitJoin')}</button>
          </p>
        </>
      )}
    </Page>
  );
}
