// Countries offered first to citizens abroad (where most Iranians abroad live), named by the
// browser in the page's language (Intl.DisplayNames); any other ISO code can be typed as well.
import { lang } from './i18n.js';

export const ABROAD = ['DE', 'US', 'CA', 'GB', 'TR', 'AE', 'SE', 'FR', 'NL', 'AU', 'IT', 'AT', 'NO', 'DK', 'CH', 'ES',
  'BE', 'FI', 'IQ', 'AF', 'MY', 'JP', 'QA', 'KW', 'OM', 'AM', 'GE', 'RU', 'CN', 'IN'];

export function countryName(code) {
  try {
    return new Intl.DisplayNames([lang()], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Tehran';
