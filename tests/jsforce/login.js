// Logs jsforce 3 in to a sandbox org the ways scripts do without a browser, and uses each
// session at the API version it names; prints one JSON report on stdout.
//
// Environment: SANDBOX_BASE_URL, SANDBOX_USERNAME, SANDBOX_PASSWORD, SANDBOX_SECURITY_TOKEN,
// SANDBOX_SECRET_CLIENT_ID and SANDBOX_CLIENT_SECRET (a connected app that requires its
// consumer secret). Exits 1 when any check fails.
'use strict';

const jsforce = require('jsforce');

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    process.stdout.write(JSON.stringify({ ok: false, error: `${name} is not set` }) + '\n');
    process.exit(2);
  }
  return value;
};
const base = env('SANDBOX_BASE_URL').replace(/\/$/, '');
const username = env('SANDBOX_USERNAME');
const password = env('SANDBOX_PASSWORD');
const token = env('SANDBOX_SECURITY_TOKEN');
const clientId = env('SANDBOX_SECRET_CLIENT_ID');
const clientSecret = env('SANDBOX_CLIENT_SECRET');
const ID_18 = /^[a-zA-Z0-9]{18}$/;

const checks = [];
class Mismatch extends Error {}
function expect(condition, message, actual) {
  if (!condition) {
    const shown = actual === undefined ? '' : ` (got ${JSON.stringify(actual)})`;
    throw new Mismatch(message + shown);
  }
}

async function check(name, fn) {
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail: detail ?? {} });
  } catch (err) {
    const error = err instanceof Mismatch ? err.message : `${err && err.name}: ${err && err.message}`;
    checks.push({ name, ok: false, error });
  }
}

// A session is only proven by using it: a query of the user who logged in.
async function whoAmI(conn, userId) {
  const result = await conn.query(`SELECT Id, Username FROM User WHERE Id = '${userId}'`);
  expect(result.totalSize === 1, 'the logged-in user is found', result);
  expect(result.records[0].Username === username, 'the user is the one who logged in', result.records[0]);
}

async function soapLogin() {
  const conn = new jsforce.Connection({ loginUrl: base, version: '62.0' });
  const info = await conn.login(username, password + token);
  expect(ID_18.test(info.id), 'user id', info);
  expect(ID_18.test(info.organizationId), 'org id', info);
  expect(conn.instanceUrl === base, 'instance URL from serverUrl', conn.instanceUrl);
  await whoAmI(conn, info.id);
  let refused;
  try {
    await new jsforce.Connection({ loginUrl: base }).login(username, password + 'WrongToken123');
  } catch (err) {
    refused = err;
  }
  expect(refused && /INVALID_LOGIN/.test(refused.message), 'a wrong token is refused with INVALID_LOGIN', refused && refused.message);
  return { userId: info.id };
}

async function passwordWithSecret() {
  const conn = new jsforce.Connection({
    oauth2: { loginUrl: base, clientId, clientSecret },
    version: '62.0',
  });
  const info = await conn.login(username, password + token);
  expect(ID_18.test(info.id), 'user id', info);
  await whoAmI(conn, info.id);
  let refused;
  try {
    await new jsforce.Connection({ oauth2: { loginUrl: base, clientId, clientSecret: 'wrong' } })
      .login(username, password + token);
  } catch (err) {
    refused = err;
  }
  expect(refused && /invalid_client/.test(`${refused.name} ${refused.message}`), 'a wrong secret is refused as invalid_client', refused && `${refused.name} ${refused.message}`);
  return { userId: info.id };
}

// Everyday calls at one version: describe, query, CRUD, upsert, multi-record create.
async function atVersion(version) {
  const conn = new jsforce.Connection({ loginUrl: base, version });
  const info = await conn.login(username, password + token);
  await whoAmI(conn, info.id);
  const meta = await conn.sobject('Account').describe();
  expect(meta.name === 'Account' && meta.fields.length > 10, 'describe', meta.name);
  const created = await conn.sobject('Account').create({ Name: `Version ${version}` });
  expect(created.success && ID_18.test(created.id), 'create', created);
  const read = await conn.sobject('Account').retrieve(created.id);
  expect(read.attributes.url === `/services/data/v${version}/sobjects/Account/${created.id}`, 'record URL names the version', read.attributes);
  const key = `VER-${version}-${Date.now()}`;
  const inserted = await conn.sobject('Account').upsert({ Name: 'U1', External_Id__c: key }, 'External_Id__c');
  expect(inserted.success && ID_18.test(inserted.id), 'upsert inserts', inserted);
  const updated = await conn.sobject('Account').upsert({ Name: 'U2', External_Id__c: key }, 'External_Id__c');
  expect(updated.success, 'upsert updates', updated);
  const many = await conn.sobject('Account').create([{ Name: 'M1' }, { Name: 'M2' }]);
  expect(Array.isArray(many) && many.length === 2 && many.every((r) => r.success), 'multi-record create', many);
  const check = await conn.query(`SELECT Name FROM Account WHERE External_Id__c = '${key}'`);
  expect(check.records[0].Name === 'U2', 'the upsert update landed', check.records);
  await conn.sobject('Account').destroy(created.id);
  return { version, upsertUpdateAnswer: updated };
}

async function main() {
  await check('login_soap', soapLogin);
  await check('login_password_with_secret', passwordWithSecret);
  await check('version_45', () => atVersion('45.0'));
  await check('version_62', () => atVersion('62.0'));
  const failed = checks.filter((c) => !c.ok).length;
  process.stdout.write(JSON.stringify({ ok: failed === 0, jsforceVersion: jsforce.VERSION, checks }) + '\n');
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.stack) }) + '\n');
  process.exitCode = 1;
});
