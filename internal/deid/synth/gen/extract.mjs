// Writes the word lists the synthetic-note generator draws from, taken from
// the npm package @faker-js/faker (MIT), to stdout as JSON. Run from a folder
// where `npm install --ignore-scripts @faker-js/faker@10.6.0` was done:
//   node extract.mjs | gzip -9n > ../faker.json.gz
import { en, faker } from '@faker-js/faker';

const flat = (v) => Array.isArray(v) ? v : Object.values(v).flat();
const uniq = (a) => [...new Set(a)].sort();
const out = {
  source: '@faker-js/faker@' + (faker.version || '10.6.0'),
  first: uniq(flat(en.person.first_name)),
  last: uniq(flat(en.person.last_name)),
  cities: uniq(en.location.city_name),
  cityPrefix: uniq(en.location.city_prefix),
  citySuffix: uniq(en.location.city_suffix),
  streetSuffix: uniq(en.location.street_suffix),
  companySuffix: uniq(flat(en.company.legal_entity_type || [])),
};
process.stdout.write(JSON.stringify(out));
