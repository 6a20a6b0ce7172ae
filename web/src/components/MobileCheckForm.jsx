import { useEffect, useState } from 'preact/hooks';
import { api, NetworkError } from '../api.js';
import { lang, t } from '../i18n.js';
import { digits, num } from '../format.js';
import { citizenFields, clock, codeProblem, normaliseCode, retryAfter, secondsLeft } from '../otp.js';
import { citizen } from '../session.js';
import { ErrorSummary } from './ErrorSummary.jsx';
import { Page } from './Page.jsx';
import { TextField } from './TextField.jsx';

const problemText = (e) => (e instanceof NetworkError || !e.message_ ? t('networkError') : e.message_());
// A masked number such as "+98912*****67" kept left to right inside a Persian sentence.
const ltr = (s) => `\u2066${digits(s)}\u2069`;

/** The mobile check as a whole page: national ID and mobile, a six-digit code by SMS, then the
 * citizen's session (kept by session.js) handed to `onVerified`. The code may be typed or pasted in
 * Persian or Latin digits; a wrong code says how many tries are left, beside the field; an expired
 * one asks for a new code. */
export function MobileCheckForm({ title, intro, back, notice, initial = {}, onVerified }) {
  const [step, setStep] = useState('ask');
  const [values, setValues] = useState({ national_id: initial.national_id || '', mobile: initial.mobile || '' });
  const [code, setCode] = useState('');
  const [challenge, setChallenge] = useState(null);
  const [errors, setErrors] = useState([]);
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [busy, setBusy] = useState(false);

  // The resend countdown: a tick a second while there is something to count.
  useEffect(() => {
    setNow(Date.now());
    if (waitUntil <= Date.now()) return undefined;
    const timer = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= waitUntil) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);
  // The code field takes the focus once the code is on its way.
  useEffect(() => {
    if (step === 'code') document.getElementById('code')?.focus();
  }, [step, challenge]);

  const wait = secondsLeft(waitUntil, now);
  const set = (field) => (value) => setValues({ ...values, [field]: value });

  const send = async (event) => {
    event?.preventDefault();
    const { national_id, mobile, problems } = citizenFields(values);
    const found = problems.map(([field, key]) => ({ field, message: t(key) }));
    if (found.length) {
      setStep('ask');
      setErrors(found);
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      const sent = await api.sendCode({ national_id, mobile });
      setChallenge({ ...sent, typed: { national_id, mobile } });
      setWaitUntil(Date.now() + (sent.resend_after_seconds || 0) * 1000);
      setCode('');
      setStep('code');
    } catch (e) {
      if (e.status === 422 && e.body?.errors?.length) {
        setStep('ask');
        setErrors(e.body.errors.map((f) => ({ field: ['national_id', 'mobile'].includes(f.field) ? f.field : null,
          message: lang() === 'fa' ? f.message_fa || f.message : f.message || f.message_fa })));
      } else {
        if (e.status === 429) {
          const seconds = retryAfter(e.retryAfter);
          if (seconds) setWaitUntil(Date.now() + seconds * 1000);
        }
        setErrors([{ field: null, message: problemText(e) }]);
      }
    } finally {
      setBusy(false);
    }
  };

  const verify = async (event) => {
    event.preventDefault();
    const typed = normaliseCode(code);
    const problem = codeProblem(typed);
    if (problem) {
      setErrors([{ field: 'code', message: t(problem) }]);
      return;
    }
    setBusy(true);
    setErrors([]);
    let verified;
    try {
      verified = await api.verifyCode({ challenge_id: challenge.challenge_id, code: typed });
    } catch (e) {
      setBusy(false);
      if (e.status === 410 || (e.kind === 'otp-wrong-code' && e.body.tries_left === 0)) {
        // Expired, or no tries left: this code is done with; the citizen asks for a new one.
        setStep('ask');
        setChallenge(null);
        setWaitUntil(0);
        setErrors([{ field: null, message: t('codeExpired') }]);
      } else if (e.kind === 'otp-wrong-code' || (e.status === 422 && typeof e.body.tries_left === 'number')) {
        setErrors([{ field: 'code', message: t('wrongCode', num(e.body.tries_left)) }]);
      } else {
        setErrors([{ field: e.status === 422 ? 'code' : null, message: problemText(e) }]);
      }
      return;
    }
    const live = citizen.save(verified, challenge.typed);
    await onVerified(live);
    setBusy(false);
  };

  const errorOf = (field) => errors.find((e) => e.field === field)?.message;
  return (
    <Page title={title} hasErrors={errors.length > 0} back={back}>
      <ErrorSummary errors={errors} />
      {notice && <p class="notice">{notice}</p>}
      {step === 'ask' && (
        <form onSubmit={send} noValidate>
          <p>{intro}</p>
          <TextField id="national_id" label={t('nationalIdLabel')} hint={t('nationalIdHint')}
            error={errorOf('national_id')} value={values.national_id} onInput={set('national_id')} inputMode="numeric"
            autoComplete="off" dir="ltr" width="10" maxLength={14} />
          <TextField id="mobile" label={t('mobileLabel')} hint={t('mobileCheckHint')} error={errorOf('mobile')}
            value={values.mobile} onInput={set('mobile')} type="tel" inputMode="tel" autoComplete="tel-national"
            dir="ltr" width="11" maxLength={16} />
          {wait > 0 && <p class="hint">{t('resendIn', digits(clock(wait)))}</p>}
          <button class="button" type="submit" disabled={busy || wait > 0}>{busy ? t('sendingCode') : t('sendCode')}</button>
        </form>
      )}
      {step === 'code' && challenge && (
        <>
          <p class="notice" role="status">{t('codeSentTo', ltr(challenge.mobile || challenge.typed.mobile))}</p>
          <form onSubmit={verify} noValidate>
            <TextField id="code" label={t('codeLabel')} hint={t('codeHint')} error={errorOf('code')} value={code}
              onInput={setCode} inputMode="numeric" autoComplete="one-time-code" dir="ltr" width="10" maxLength={16} />
            <button class="button" type="submit" disabled={busy}>{busy ? t('checkingCode') : t('confirmCode')}</button>
          </form>
          <p class="actions">
            {wait > 0
              ? <span class="hint" data-testid="resend-wait">{t('resendIn', digits(clock(wait)))}</span>
              : <button class="button button--secondary" type="button" onClick={send} disabled={busy}>{t('resendCode')}</button>}
            <button class="button button--secondary" type="button" onClick={() => { setStep('ask'); setErrors([]); }}>
              {t('changeNumber')}
            </button>
          </p>
        </>
      )}
    </Page>
  );
}
