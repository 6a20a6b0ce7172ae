import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { applyDocumentLang, lang, setLang, t } from './i18n.js';
import { match, queryParam, startRouter, useLocation } from './router.js';
import { CheckAnswers } from './pages/CheckAnswers.jsx';
import { Confirmation } from './pages/Confirmation.jsx';
import { FindService } from './pages/FindService.jsx';
import { ManageBooking } from './pages/ManageBooking.jsx';
import { MobileCheck } from './pages/MobileCheck.jsx';
import { MyBookings } from './pages/MyBookings.jsx';
import { WaitlistJoin, WaitlistOffer } from './pages/Waitlist.jsx';
import { NotFound } from './pages/NotFound.jsx';
import { OfficeDays } from './pages/OfficeDays.jsx';
import { OfficeTimes } from './pages/OfficeTimes.jsx';
import { RemoteRequestForm, RequestSent } from './pages/RemoteRequest.jsx';
import { SessionBooking } from './pages/SessionBooking.jsx';
import { TrackRequest } from './pages/TrackRequest.jsx';
import { WhereToGo } from './pages/WhereToGo.jsx';
import { YourDetails } from './pages/YourDetails.jsx';

// Find -> where to go -> day -> time -> [mobile check] -> (hold) your details -> check -> confirmation;
// or, for a remote service: find -> where to go (remote) -> [mobile check] the request -> sent -> follow it.
// "My bookings" (/me): a mobile check, then the citizen's bookings and requests, without access codes.
const ROUTES = [
  ['/', () => <FindService q={queryParam('q') || ''} />],
  ['/categories/:category', (p) => <FindService category={p.category} />],
  ['/services/:service/where', (p) => (
    <WhereToGo serviceId={p.service} city={queryParam('city')} lat={queryParam('lat')} lon={queryParam('lon')}
      mode={queryParam('mode')} />)],
  ['/offices/:office/services/:service/days', (p) => <OfficeDays officeId={p.office} serviceId={p.service} />],
  ['/offices/:office/services/:service/days/:date', (p) => (
    <OfficeTimes officeId={p.office} serviceId={p.service} date={p.date} />)],
  ['/book/details', () => <YourDetails />],
  ['/book/mobile-check', () => <MobileCheck />],
  ['/book/check', () => <CheckAnswers />],
  ['/book/confirmation', () => <Confirmation />],
  ['/requests/new', () => <RemoteRequestForm serviceId={queryParam('service')} officeId={queryParam('office')} />],
  ['/requests/sent', () => <RequestSent />],
  ['/requests/track', () => <TrackRequest />],
  ['/requests/:code', (p) => <TrackRequest trackingCode={p.code} />],
  ['/bookings/manage', () => <ManageBooking />],
  ['/me', () => <MyBookings />],
  ['/offer/:hold', (p) => <WaitlistOffer holdId={p.hold} />],
  ['/waitlist/new', () => <WaitlistJoin officeId={queryParam('office')} serviceId={queryParam('service')}
    date={queryParam('date')} />],
  ['/sessions/new', () => <SessionBooking officeId={queryParam('office')} serviceId={queryParam('service')} />],
  ['/bookings/:booking', (p) => <ManageBooking bookingId={p.booking} />],
];

// The staff consoles are a separate chunk, fetched the first time a /console page opens.
function Console({ path }) {
  const [module, setModule] = useState(null);
  useEffect(() => { import('./console/index.jsx').then(setModule); }, []);
  return module ? <module.ConsoleRoute path={path} /> : <p class="status" role="status">{t('loading')}</p>;
}

function route(loc) {
  const path = loc.split('?')[0];
  if (path === '/console' || path.startsWith('/console/')) return <Console path={path} />;
  for (const [pattern, view] of ROUTES) {
    const params = match(pattern, path);
    if (params) return view(params);
  }
  return <NotFound />;
}

function App() {
  const loc = useLocation();
  const [, setLanguage] = useState(lang());
  const switchLanguage = () => {
    setLang(t('otherLanguageCode'));
    setLanguage(lang());
  };
  return (
    <>
      <a class="skip-link" href="#main">{t('skipToContent')}</a>
      <header class="header">
        <div class="header__inner">
          <a class="header__name" href="/">{t('siteName')}</a>
          <button class="header__lang" type="button" onClick={switchLanguage} lang={t('otherLanguageCode')}>
            {t('otherLanguage')}
          </button>
        </div>
      </header>
      {/* Keyed by place and language: every page starts fresh, in the right words. */}
      <main id="main" class="main" tabIndex={-1} key={`${loc}|${lang()}`}>{route(loc)}</main>
      <footer class="footer"><p>{t('footer')}</p></footer>
    </>
  );
}

applyDocumentLang();
startRouter();
render(<App />, document.getElementById('app'));
