import { useState } from 'preact/hooks';
import { lang, t } from '../i18n.js';
import { latinDigits, timeOf } from '../format.js';
import { features } from '../features.js';
import { journey } from '../journey.js';
import { navigate, queryParam } from '../router.js';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { Page } from '../components/Page.jsx';
import { TextField } from '../components/TextField.jsx';
import { JourneyLost } from './JourneyLost.jsx';

// The API's field names and the ids of their inputs on this page.
export const DETAIL_FIELDS = ['national_id', 'mobile', 'name'];

/** Your details: national ID and mobile (and a name). The shape is checked here; the rules (check
 * digit, mobile operator ranges) are the API's, whose errors come back to this page beside the
 * field they concern (from the check-your-answers page, carried in the journey). */
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

  const set = (field) => (value) => setValues({ ...values, [field]: value });
  const submit = (event) => {
    event.preventDefault();
    const nid = latinDigits(values.national_id).replace(/[\s-]/g, '');
    const mobile = latinDigits(values.mobile).replace(/[\s-]/g, '');
    const found = [];
    if (!nid) found.push({ field: 'national_id', message: t('nationalIdRequired') });
    else if (!/^\d{10}$/.test(nid)) found.push({ field: 'national_id', message: t('nationalIdShape') });
    if (!mobile) found.push({ field: 'mobile', message: t('mobileRequired') });
    else if (!/^(09\d{9}|\+989\d{9}|9\d{9})$/.test(mobile)) found.push({ field: 'mobile', message: t('mobileShape') });
    setErrors(found);
    if (found.length) return;
    journey.setDetails({ national_id: nid, mobile, name: values.name.trim() });
    journey.update({ fieldErrors: null });
    navigate(features.mobileCheck ? '/book/mobile-check' : '/book/check');
  };

  const errorOf = (field) => errors.find((e) => e.field === field)?.message;
  return (
    <Page title={t('detailsTitle')} hasErrors={errors.length > 0}
      back={`/offices/${state.officeId}/services/${state.serviceId}/days/${state.slot.at.slice(0, 10)}`}>
      <ErrorSummary errors={errors} />
      <p class="notice">{t('heldUntil', timeOf(state.hold.expires))}</p>
      <form onSubmit={submit} noValidate>
        <TextField id="national_id" label={t('nationalIdLabel')} hint={t('nationalIdHint')} error={errorOf('national_id')}
          value={values.national_id} onInput={set('national_id')} inputMode="numeric" autoComplete="off" dir="ltr"
          width="10" maxLength={14} />
        <TextField id="mobile" label={t('mobileLabel')} hint={t('mobileHint')} error={errorOf('mobile')}
          value={values.mobile} onInput={set('mobile')} type="tel" inputMode="tel" autoComplete="tel-national" dir="ltr"
          width="11" maxLength={16} />
        <TextField id="name" label={t('nameLabel')} error={errorOf('name')} value={values.name} onInput={set('name')}
          autoComplete="name" maxLength={80} />
        <button class="button" type="submit">{t('continue')}</button>
      </form>
    </Page>
  );
}
