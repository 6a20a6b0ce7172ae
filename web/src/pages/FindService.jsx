import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { lang, named, t } from '../i18n.js';
import { money, num } from '../format.js';
import { features } from '../features.js';
import { navigate } from '../router.js';
import { Page } from '../components/Page.jsx';
import { Failure, Loading } from '../components/Status.jsx';

/** One service of the catalogue: its name, mode, duration and tariff, and the way on. */
export function ServiceCard({ service }) {
  return (
    <li class="card service">
      <h3 class="card__title">
        <a href={`/services/${service.service_id}/where`}>{named(service)}</a>
      </h3>
      {lang() === 'fa'
        ? <p class="card__sub" lang="en" dir="ltr">{service.name_en}</p>
        : <p class="card__sub" lang="fa" dir="rtl">{service.name_fa}</p>}
      <dl class="facts">
        <div><dt>{t('modeLabel')}</dt><dd>{t('modes')[service.mode]}</dd></div>
        <div><dt>{t('durationLabel')}</dt><dd>{t('minutes', num(service.duration_min))}</dd></div>
        <div><dt>{t('tariffLabel')}</dt><dd>{t('rials', money(service.tariff_rials))}</dd></div>
      </dl>
    </li>
  );
}

/** Find: search the catalogue the way people type it (the API folds the spellings) or browse a category. */
export function FindService({ q = '', category = '' }) {
  const [text, setText] = useState(q);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [categories, setCategories] = useState(null);

  useEffect(() => setText(q), [q]);
  // The catalogue's categories, named in both languages by the API, with how many services each has.
  useEffect(() => {
    let live = true;
    api.categories().then((c) => live && setCategories(c.items), (e) => live && setError(e));
    return () => { live = false; };
  }, []);
  useEffect(() => {
    setPage(null);
    setError(null);
    if (!q && !category) return;
    let live = true;
    setBusy(true);
    api.services(q, category).then((p) => live && setPage(p), (e) => live && setError(e))
      .finally(() => live && setBusy(false));
    return () => { live = false; };
  }, [q, category]);

  const more = async () => {
    try {
      const next = await api.services(q, category, page.next_cursor);
      setPage({ ...next, items: [...page.items, ...next.items] });
    } catch (e) {
      setError(e);
    }
  };

  const submit = (event) => {
    event.preventDefault();
    const query = text.trim();
    navigate(query ? `/?q=${encodeURIComponent(query)}` : '/');
  };

  const current = category && categories?.find((c) => c.category === category);
  const title = category ? (current ? named(current) : categories ? category : t('loading')) : t('findTitle');
  return (
    <Page title={title} back={category ? '/' : undefined}>
      {!category && (
        <form class="search" role="search" action="/" method="get" onSubmit={submit}>
          <label for="q" class="label--lead">{t('searchLabel')}</label>
          <p class="hint" id="q-hint">{t('findHint')}</p>
          <div class="search__row">
            <input id="q" name="q" type="search" class="input" value={text} aria-describedby="q-hint"
              autoComplete="off" onInput={(e) => setText(e.currentTarget.value)} />
            <button class="button" type="submit">{t('searchButton')}</button>
          </div>
        </form>
      )}
      <Failure error={error} />
      {busy && <Loading />}
      {page && (
        <section aria-labelledby="results-title">
          <h2 id="results-title" class="results-count" aria-live="polite">{t('resultsCount', num(page.total ?? page.items.length))}</h2>
          {page.items.length === 0 ? <p>{t('noResults')}</p> : (
            <ul class="cards">{page.items.map((s) => <ServiceCard key={s.service_id} service={s} />)}</ul>
          )}
          {page.next_cursor != null && <button class="button button--secondary" type="button" onClick={more}>{t('moreResults')}</button>}
        </section>
      )}
      {!category && categories && (
        <nav aria-labelledby="categories-title" class="categories">
          <h2 id="categories-title">{t('categoriesTitle')}</h2>
          <ul class="link-list">
            {categories.map((c) => (
              <li key={c.category}>
                <a href={`/categories/${c.category}`}>{named(c)}</a>
                <span class="count"> ({t('servicesCount', num(c.services))})</span>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <ul class="manage-link link-list">
        <li><a href="/bookings/manage">{t('manageLink')}</a></li>
        <li><a href="/requests/track">{t('trackLink')}</a></li>
        {features.mobileCheck && <li><a href="/me">{t('lostAccessCode')}</a></li>}
      </ul>
    </Page>
  );
}
