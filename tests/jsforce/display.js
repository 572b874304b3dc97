// Runs toLabel(), FORMAT() and FOR VIEW through jsforce 3 against a sandbox org and prints one
// JSON report.
//
// Environment: SANDBOX_BASE_URL (instance URL), SANDBOX_ACCESS_TOKEN, optional
// SANDBOX_API_VERSION. The org starts empty; the script creates what it reads.
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

const ids = {};

async function seed() {
  const account = await conn.sobject('Account').create({ Name: 'Label Works', CleanStatus: 'Matched' });
  expectEqual(account.success, true, 'the account is created');
  ids.account = account.id;
  const deals = await conn.sobject('Opportunity').create(
    [
      { Name: 'Deal A', StageName: 'Prospecting', CloseDate: '2015-12-28', Amount: 44000, AccountId: account.id },
      { Name: 'Deal B', StageName: 'Prospecting', CloseDate: '2024-03-01', Amount: 1200.5, AccountId: account.id },
    ],
    { allOrNone: true }
  );
  expectEqual(deals.every((r) => r.success), true, 'every deal is created');
  return {};
}

async function toLabel() {
  const result = await conn.query(
    "SELECT Name, toLabel(CleanStatus), toLabel(CleanStatus) status FROM Account WHERE toLabel(CleanStatus) = 'In Sync'"
  );
  expectEqual(
    result.records.map((r) => [r.Name, r.CleanStatus, r.status]),
    [['Label Works', 'In Sync', 'In Sync']],
    'labels under the field name and the alias'
  );
  return {};
}

async function format() {
  const result = await conn.query(
    'SELECT Name, Amount, FORMAT(Amount) amt, FORMAT(CloseDate) FROM Opportunity ORDER BY Name'
  );
  expectEqual(
    result.records.map((r) => [r.Name, r.Amount, r.amt, r.CloseDate]),
    [
      ['Deal A', 44000, '$44,000.00', '12/28/2015'],
      ['Deal B', 1200.5, '$1,200.50', '3/1/2024'],
    ],
    'formatted values'
  );
  const aggregate = await conn.query('SELECT FORMAT(MIN(CloseDate)) Amt FROM Opportunity');
  expectEqual(aggregate.records.map((r) => r.Amt), ['12/28/2015'], 'FORMAT(MIN(CloseDate))');
  return {};
}

async function nonPicklistIsRefused() {
  const outcome = await conn.query('SELECT toLabel(Name) FROM Account').then(
    () => 'answered',
    (err) => err.errorCode
  );
  expectEqual(outcome, 'INVALID_FIELD', 'the error');
  return {};
}

async function forView() {
  const before = await conn.recent();
  expectEqual(before.map((r) => r.Id).includes(ids.account), false, 'not viewed before');
  const result = await conn.query(`SELECT Id, Name FROM Account WHERE Id = '${ids.account}' FOR VIEW`);
  expectEqual(result.totalSize, 1, 'FOR VIEW answers the records');
  const after = await conn.recent();
  expectEqual(after.map((r) => r.Id)[0], ids.account, 'the viewed account leads /recent');
  return {};
}

async function main() {
  await check('seed', seed);
  await check('to_label', toLabel);
  await check('format', format);
  await check('non_picklist_is_refused', nonPicklistIsRefused);
  await check('for_view', forView);
  const failed = checks.filter((c) => !c.ok).length;
  process.stdout.write(JSON.stringify({ ok: failed === 0, jsforceVersion: jsforce.VERSION, checks }) + '\n');
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.stack) }) + '\n');
  process.exitCode = 1;
});
