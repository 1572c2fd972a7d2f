// Writes international person names and towns from the npm package
// @faker-js/faker (MIT) to stdout as JSON, for the real-note-style generator
// (names with non-English letters: "Júlia", "Wróblewska", "Hoàng"). Run from
// a folder where `npm install --ignore-scripts @faker-js/faker@10.6.0` was done:
//   node extract-intl.mjs | gzip -9n > ../faker-intl.json.gz
import * as all from '@faker-js/faker';

const flat = (v) => v == null ? [] : Array.isArray(v) ? v : Object.values(v).flat();
const uniq = (a) => [...new Set(a)].sort();
// Latin-script locales only: the notes are written in English.
const locales = ['de', 'es', 'fr', 'pl', 'pt_BR', 'it', 'nb_NO', 'sv', 'tr', 'cs_CZ', 'nl', 'da', 'fi', 'hu', 'ro', 'yo_NG', 'en_IN', 'hr', 'sk', 'lv', 'vi'];
const cap = 250; // per locale and list, so no one locale dominates
const take = (a) => a.filter((s) => /^[\p{L}' -]+$/u.test(s)).slice(0, cap);
const first = [], last = [], cities = [];
for (const loc of locales) {
  const d = all[loc];
  first.push(...take(flat(d.person?.first_name).flatMap((s) => s.split(' '))));
  last.push(...take(flat(d.person?.last_name)));
  cities.push(...take(flat(d.location?.city_name)));
}
process.stdout.write(JSON.stringify({
  source: '@faker-js/faker@10.6.0 locales ' + locales.join(','),
  first: uniq(first), last: uniq(last), cities: uniq(cities),
}));
