import { useState } from 'preact/hooks';
import { lang, t } from '../i18n.js';
import { timeOf } from '../format.js';
import { citizenFields } from '../otp.js';
import { features } from '../features.js';
import { journey } from '../journey.js';
import { navigate, queryParam } from '../router.js';
import { citizen } from '../session.js';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { Page } from '../components/Page.jsx';
import { TextField } from '../components/TextField.jsx';
import { VerifiedCitizen } from '../components/VerifiedCitizen.jsx';
import { JourneyLost } from './JourneyLost.jsx';

// The API's field names and the ids of their inputs on this page.
export const DETAIL_FIELDS = ['national_id', 'mobile', 'name'];

/** Your details: national ID and mobile (and a name). The shape is checked here; the rules (check
 * digit, mobile operator ranges) are the API's, whose errors come back to this page beside the
 * field they concern (from the check-your-answers page, carried in the journey). With the mobile
 * check, the national ID and mobile are the verified ones (the booking must carry exactly those):
 * shown, not asked again; changing them is a new check. */
export function YourDetails() {
  const state = journey.get();
  const saved = journey.details() || {};
  const [values, setValues] = useState({ national_id: saved.national_id || '', mobile: saved.mobile || '',
    name: saved.name || '' });
  // Errors the API returned for these fields on the last booking attempt.
  const [errors, setErrors] = useState(() => (queryParam('errors') ? state.fieldErrors || [] : [])
    .map((e) => ({ field: e.field, message: lang() === 'fa' ? e.message_fa || e.message : e.message })));
  if (state.booked) {
    return (
      <Page title={t('alreadyBooked')}>
        <p><a class="button" href="/book/confirmation">{t('seeConfirmation')}</a></p>
      </Page>
    );
  }
  if (!state.hold) return <JourneyLost />;
  const verified = features.mobileCheck ? citizen.current() : null;
  if (features.mobileCheck && !verified) return <CheckAgain />;

  const set = (field) => (value) => setValues({ ...values, [field]: value });
  const submit = (event) => {
    event.preventDefault();
    if (verified) {
      journey.setDetails({ national_id: verified.national_id, mobile: verified.mobile, name: values.name.trim() });
      journey.update({ fieldErrors: null });
      navigate('/book/check');
      return;
    }
    const { national_id, mobile, problems } = citizenFields(values);
    const found = problems.map(([field, key]) => ({ field, message: t(key) }));
    setErrors(found);
    if (found.length) return;
    journey.setDetails({ national_id, mobile, name: values.name.trim() });
    journey.update({ fieldErrors: null });
    navigate('/book/check');
  };

  const errorOf = (field) => errors.find((e) => e.field === field)?.message;
  // Verified, only the name is a field on this page; other problems are the page's.
  const listed = verified ? errors.map((e) => (e.field === 'name' ? e : { ...e, field: null })) : errors;
  return (
    <Page title={t('detailsTitle')} hasErrors={errors.length > 0}
      back={`/offices/${state.officeId}/services/${state.serviceId}/days/${state.slot.at.slice(0, 10)}`}>
      <ErrorSummary errors={listed} />
      <p class="notice">{t('heldUntil', timeOf(state.hold.expires))}</p>
      <form onSubmit={submit} noValidate>
        {verified ? (
          <VerifiedCitizen verified={verified} change="/book/mobile-check" />
        ) : (
          <>
            <TextField id="national_id" label={t('nationalIdLabel')} hint={t('nationalIdHint')}
              error={errorOf('national_id')} value={values.national_id} onInput={set('national_id')} inputMode="numeric"
              autoComplete="off" dir="ltr" width="10" maxLength={14} />
            <TextField id="mobile" label={t('mobileLabel')} hint={t('mobileHint')} error={errorOf('mobile')}
              value={values.mobile} onInput={set('mobile')} type="tel" inputMode="tel" autoComplete="tel-national"
              dir="ltr" width="11" maxLength={16} />
          </>
        )}
        {verified && <p class="hint">{t('verifiedNote')}</p>}
        <TextField id="name" label={t('nameLabel')} error={errorOf('name')} value={values.name} onInput={set('name')}
          autoComplete="name" maxLength={80} />
        <button class="button" type="submit">{t('continue')}</button>
      </form>
    </Page>
  );
}

/** The session lapsed while the time was held: the mobile is checked again, then back here. */
function CheckAgain() {
  return (
    <Page title={t('sessionLapsed')}>
      <p>{t('sessionLapsedBody')}</p>
      <p><a class="button" href="/book/mobile-check">{t('checkMobileAgain')}</a></p>
    </Page>
  );
}
