// Complaints and inspections: the ranking's inputs from the association's complaints office and its
// inspectors. An administrator records them for any office; a provincial representative for the
// offices of their province (the API answers 404 for any other, shown here with why).
import { useState } from 'preact/hooks';
import { ErrorSummary } from '../../components/ErrorSummary.jsx';
import { TextField } from '../../components/TextField.jsx';
import { digits, latinDigits, num } from '../../format.js';
import { t } from '../../i18n.js';
import { staff } from '../../staff.js';
import { ConsolePage, Refusal } from '../ConsolePage.jsx';
import { ADMIN_OR_REPRESENTATIVE } from './govRoles.js';
import { jalaliDay, parseNumber } from './governance.js';
import { governance } from './governanceApi.js';
import './governance.css';

const REFERENCE = /^[A-Za-z0-9_-]{1,40}$/;

/** One form: its fields, checked here first, then the API's answer (field errors beside the fields). */
function InputForm({ id, title, intro, fields, check, send, done }) {
  const [values, setValues] = useState(Object.fromEntries(fields.map((f) => [f.name, ''])));
  const [errors, setErrors] = useState([]);
  const [problem, setProblem] = useState(null);
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  const err = (name) => errors.find((e) => e.field === `${id}-${name}`)?.message;

  const submit = async (ev) => {
    ev.preventDefault();
    setProblem(null);
    setResult(null);
    const { body, bad } = check(values);
    const found = bad.map(([name, message]) => ({ field: `${id}-${name}`, message }));
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    try {
      setResult(await send(values.office.trim(), body));
      setValues(Object.fromEntries(fields.map((f) => [f.name, ''])));
    } catch (e) {
      const byField = e.fieldErrors ? e.fieldErrors() : {};
      if (e.status === 422 && Object.keys(byField).length) {
        setErrors(Object.entries(byField).map(([f, message]) => ({
          field: fields.some((x) => x.name === f) ? `${id}-${f}` : null, message })));
      } else {
        setProblem(e);
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate class="gov-form" aria-labelledby={`${id}-title`} id={id}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p>{intro}</p>
      <ErrorSummary errors={errors} />
      <Refusal problem={problem} />
      {result && <div class="notice" role="status" id={`${id}-done`}>{done(result)}</div>}
      {fields.map((f) => (
        <TextField key={f.name} id={`${id}-${f.name}`} label={f.label} hint={f.hint} dir={f.dir}
          inputMode={f.inputMode} width={f.width || '20'} value={values[f.name]} error={err(f.name)}
          onInput={(v) => setValues({ ...values, [f.name]: v })} />
      ))}
      <button type="submit" class="button" disabled={busy}>{t('assocGovRecord')}</button>
    </form>
  );
}

const officeField = () => ({ name: 'office', label: t('assocGovOfficeId'), hint: t('assocGovOfficeIdHint'), dir: 'ltr' });
const referenceField = () => ({ name: 'reference', label: t('assocGovReference'), hint: t('assocGovReferenceHint'),
  dir: 'ltr' });

function checkCommon(values, bad) {
  if (!/^[A-Za-z0-9-]{2,40}$/.test(values.office.trim())) bad.push(['office', t('assocGovOfficeIdInvalid')]);
  if (!REFERENCE.test(values.reference.trim())) bad.push(['reference', t('assocGovReferenceInvalid')]);
}

export function GovInputs() {
  const session = staff.current();
  const province = session?.role === 'provincial-representative' ? session.province : null;
  return (
    <ConsolePage title={t('assocGovInputsTitle')} roles={ADMIN_OR_REPRESENTATIVE}>
      <p>{province ? t('assocGovInputsProvince', province) : t('assocGovInputsIntro')}</p>
      <div class="gov-columns">
        <InputForm id="complaints" title={t('assocGovComplaintsTitle')} intro={t('assocGovComplaintsIntro')}
          fields={[officeField(),
            { name: 'month', label: t('assocGovMonth'), hint: t('assocGovMonthHint'), dir: 'ltr', width: '10' },
            { name: 'upheld', label: t('assocGovUpheld'), inputMode: 'numeric', width: '10' }, referenceField()]}
          check={(v) => {
            const bad = [];
            checkCommon(v, bad);
            const month = latinDigits(v.month.trim()).replace('/', '-');
            if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) bad.push(['month', t('assocGovMonthInvalid')]);
            const upheld = parseNumber(v.upheld);
            if (!Number.isInteger(upheld) || upheld < 1 || upheld > 1000) bad.push(['upheld', t('assocGovUpheldInvalid')]);
            return { bad, body: { month, upheld, reference: v.reference.trim() } };
          }}
          send={governance.complaints}
          done={(r) => (r.recorded ? t('assocGovComplaintsDone', num(r.upheld), r.office_id, digits(r.jalali))
            : t('assocGovAlreadyRecorded', r.reference))} />
        <InputForm id="inspection" title={t('assocGovInspectionTitle')} intro={t('assocGovInspectionIntro')}
          fields={[officeField(),
            { name: 'date', label: t('assocGovInspectionDate'), hint: t('assocGovInspectionDateHint'), dir: 'ltr',
              width: '10' },
            { name: 'score', label: t('assocGovScore'), hint: t('assocGovScoreHint'), inputMode: 'decimal', width: '10' },
            referenceField()]}
          check={(v) => {
            const bad = [];
            checkCommon(v, bad);
            const [y, m, d] = latinDigits(v.date.trim()).split(/[/-]/);
            const date = jalaliDay(y, m, d);
            if (!date) bad.push(['date', t('assocGovDayInvalid')]);
            const score = parseNumber(v.score);
            if (score === null || score < 0 || score > 100) bad.push(['score', t('assocGovScoreInvalid')]);
            return { bad, body: { date, score, reference: v.reference.trim() } };
          }}
          send={governance.inspection}
          done={(r) => (r.recorded ? t('assocGovInspectionDone', num(r.score, 1), r.office_id, digits(r.jalali))
            : t('assocGovAlreadyRecorded', r.reference))} />
      </div>
    </ConsolePage>
  );
}
