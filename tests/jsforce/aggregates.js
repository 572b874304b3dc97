// Runs aggregate SOQL through jsforce 3 against a sandbox org and prints one JSON report.
//
// Environment: SANDBOX_BASE_URL (instance URL), SANDBOX_ACCESS_TOKEN, optional
// SANDBOX_API_VERSION. The org starts empty; the script creates what it counts.
'use strict';

const jsforce = require('jsforce');

const checks = [];

function env(name) {
  const value = process.env[name];
  if (!value) {
    process.stdout.write(JSON.stringify({ ok: false, error: `${name} is not set` }) + '\n');
    process.exit(2);
  }
  return value;
}

class Mismatch extends Error {}

function expectEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Mismatch(`${what}: expected ${e} (got ${a})`);
}

async function check(name, fn) {
  try {
    checks.push({ name, ok: true, detail: (await fn()) ?? {} });
  } catch (err) {
    const error = err instanceof Mismatch ? err.message : `${err && err.name}: ${err && err.message}`;
    checks.push({ name, ok: false, error });
  }
}

const conn = new jsforce.Connection({
  instanceUrl: env('SANDBOX_BASE_URL').replace(/\/$/, ''),
  accessToken: env('SANDBOX_ACCESS_TOKEN'),
  version: process.env.SANDBOX_API_VERSION || '59.0',
});

// 250 accounts: `Agg 000`..`Agg 249`, industries Energy, Banking, Retail in turn, and
// NumberOfEmployees equal to their number.
async function seed() {
  const industries = ['Energy', 'Banking', 'Retail'];
  const all = Array.from({ length: 250 }, (_, i) => ({
    Name: `Agg ${String(i).padStart(3, '0')}`,
    Industry: industries[i % 3],
    NumberOfEmployees: i,
  }));
  for (let at = 0; at < all.length; at += 200) {
    const results = await conn.sobject('Account').create(all.slice(at, at + 200), { allOrNone: true });
    expectEqual(results.every((r) => r.success), true, 'every account is created');
  }
  return { created: all.length };
}

async function groupedRows() {
  const result = await conn.query(
    'SELECT Industry, COUNT(Id), SUM(NumberOfEmployees) total FROM Account GROUP BY Industry ORDER BY Industry'
  );
  expectEqual([result.totalSize, result.done], [3, true], 'totalSize and done');
  expectEqual(
    result.records,
    [
      { attributes: { type: 'AggregateResult' }, Industry: 'Banking', expr0: 83, total: 10292 },
      { attributes: { type: 'AggregateResult' }, Industry: 'Energy', expr0: 84, total: 10458 },
      { attributes: { type: 'AggregateResult' }, Industry: 'Retail', expr0: 83, total: 10375 },
    ],
    'AggregateResult rows'
  );
  return {};
}

async function oneFetchWhateverTheBatchSize() {
  let fetches = 0;
  const query = conn.query('SELECT Name, MAX(NumberOfEmployees) FROM Account GROUP BY Name', {
    autoFetch: true,
    maxFetch: 100000,
    headers: { 'Sforce-Query-Options': 'batchSize=200' },
  });
  query.on('fetch', () => { fetches += 1; });
  const result = await query;
  expectEqual([result.totalSize, result.done, result.records.length], [250, true, 250], 'all groups');
  expectEqual(fetches, 1, 'an aggregate answer is one fetch, never paged');
  expectEqual(result.nextRecordsUrl, undefined, 'no nextRecordsUrl');
  return { fetches };
}

async function rollupHavingAndDates() {
  const rollup = await conn.query(
    'SELECT Industry, GROUPING(Industry) sub, COUNT(Id) n FROM Account GROUP BY ROLLUP(Industry) HAVING COUNT(Id) > 83 ORDER BY COUNT(Id)'
  );
  expectEqual(
    rollup.records.map((r) => [r.Industry, r.sub, r.n]),
    [['Energy', 0, 84], [null, 1, 250]],
    'ROLLUP with HAVING'
  );
  const year = new Date().getUTCFullYear();
  const dated = await conn.query(
    `SELECT CALENDAR_YEAR(CreatedDate) y, COUNT(Id) FROM Account WHERE CALENDAR_YEAR(CreatedDate) = ${year} GROUP BY CALENDAR_YEAR(CreatedDate)`
  );
  expectEqual(dated.records.map((r) => [r.y, r.expr0]), [[year, 250]], 'date function grouping');
  return {};
}

async function ungroupedFieldIsRefused() {
  const outcome = await conn.query('SELECT Name, COUNT(Id) FROM Account').then(
    () => 'answered',
    (err) => [err.errorCode, String(err.message).split('\n').pop()]
  );
  expectEqual(outcome, ['MALFORMED_QUERY', 'Field must be grouped or aggregated: Name'], 'the error');
  return {};
}

async function main() {
  await check('seed', seed);
  await check('grouped_rows', groupedRows);
  await check('one_fetch_whatever_the_batch_size', oneFetchWhateverTheBatchSize);
  await check('rollup_having_dates', rollupHavingAndDates);
  await check('ungrouped_field_is_refused', ungroupedFieldIsRefused);
  const failed = checks.filter((c) => !c.ok).length;
  process.stdout.write(JSON.stringify({ ok: failed === 0, jsforceVersion: jsforce.VERSION, checks }) + '\n');
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.stack) }) + '\n');
  process.exitCode = 1;
});
