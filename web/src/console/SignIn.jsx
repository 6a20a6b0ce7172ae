import { useEffect, useState } from 'preact/hooks';
import { ErrorSummary } from '../components/ErrorSummary.jsx';
import { Page } from '../components/Page.jsx';
import { TextField } from '../components/TextField.jsx';
import { t } from '../i18n.js';
import { navigate, queryParam } from '../router.js';
import { homeOf, staff } from '../staff.js';

// Only a console path may follow sign-in: never another site, never a citizen page.
const safeNext = (next) => (next && /^\/console(\/|$)/.test(next) && !next.startsWith('//') ? next : null);

/** The staff sign-in page: email and password (and, when the pool asks, the authenticator's code). */
export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [askCode, setAskCode] = useState(false);
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);

  const done = (session) => navigate(safeNext(queryParam('next')) || homeOf(session.role) || '/console',
    { replace: true });

  useEffect(() => {
    const live = staff.current();
    if (live) done(live);
  }, []);

  const submit = async (event) => {
    event.preventDefault();
    const missing = [];
    if (!askCode && !email.trim()) missing.push({ field: 'email', message: t('consoleEmailMissing') });
    if (!askCode && !password) missing.push({ field: 'password', message: t('consolePasswordMissing') });
    if (askCode && !/^\d{6}$/.test(code.trim())) missing.push({ field: 'code', message: t('consoleCodeMissing') });
    if (missing.length) {
      setErrors(missing);
      return;
    }
    setBusy(true);
    try {
      const result = askCode ? await staff.answerChallenge(code.trim()) : await staff.signIn(email.trim(), password);
      if (result.challenge) {
        setAskCode(true);
        setErrors([]);
      } else {
        done(result.session);
      }
    } catch (err) {
      const key = { credentials: 'consoleWrongPassword', code: 'consoleWrongCode', unavailable: 'consoleSignInUnavailable' }[
        err.kind] || 'consoleSignInUnsupported';
      setErrors([{ field: err.kind === 'credentials' ? 'password' : err.kind === 'code' ? 'code' : null,
        message: t(key) }]);
    } finally {
      setBusy(false);
    }
  };

  const error = (field) => errors.find((e) => e.field === field)?.message;
  return (
    <Page title={t('consoleSignInTitle')} hasErrors={errors.length > 0}>
      <ErrorSummary errors={errors} />
      <p>{t('consoleSignInIntro')}</p>
      <form onSubmit={submit} noValidate>
        {askCode ? (
          <TextField id="code" label={t('consoleCodeLabel')} hint={t('consoleCodeHint')} error={error('code')}
            value={code} onInput={setCode} inputMode="numeric" autoComplete="one-time-code" dir="ltr" width="10"
            maxLength={6} />
        ) : (
          <>
            <TextField id="email" label={t('consoleEmailLabel')} error={error('email')} value={email} onInput={setEmail}
              type="email" autoComplete="username" dir="ltr" />
            <TextField id="password" label={t('consolePasswordLabel')} error={error('password')} value={password}
              onInput={setPassword} type="password" autoComplete="current-password" dir="ltr" />
          </>
        )}
        <div class="actions">
          <button class="button" type="submit" disabled={busy}>{t('consoleSignInButton')}</button>
        </div>
      </form>
    </Page>
  );
}

/** /console: each role to its own console's first page. */
export function ConsoleHome() {
  useEffect(() => {
    const live = staff.current();
    navigate(live ? homeOf(live.role) || '/console/sign-in' : '/console/sign-in', { replace: true });
  }, []);
  return <p class="loading" role="status">{t('loading')}</p>;
}
