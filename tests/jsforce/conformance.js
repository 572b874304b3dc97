// Drives jsforce 3 against a sandbox org and prints one JSON report on stdout.
//
// Environment: SANDBOX_BASE_URL (login and instance URL), SANDBOX_CLIENT_ID,
// SANDBOX_CALLBACK (a callback registered for that client), optional SANDBOX_API_VERSION.
// Exits 1 when any check fails. jsforce can resolve quietly on transport failures, so every
// result is checked for its shape and values, never just for "no exception".
'use strict';

const jsforce = require('jsforce');

const base = requiredEnv('SANDBOX_BASE_URL').replace(/\/$/, '');
const clientId = requiredEnv('SANDBOX_CLIENT_ID');
const callback = requiredEnv('SANDBOX_CALLBACK');
const version = process.env.SANDBOX_API_VERSION || '59.0';
const ID_18 = /^[a-zA-Z0-9]{18}$/;

const checks = [];
const ctx = {};

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    process.stdout.write(JSON.stringify({ ok: false, error: `${name} is not set` }) + '\n');
    process.exit(2);
  }
  return value;
}

class Mismatch extends Error {}

function expect(condition, message, actual) {
  if (!condition) {
    const shown = actual === undefined ? '' : ` (got ${JSON.stringify(actual)})`;
    throw new Mismatch(message + shown);
  }
}

function expectEqual(actual, expected, what) {
  expect(actual === expected, `${what}: expected ${JSON.stringify(expected)}`, actual);
}

// Runs one named check; a check that needs an earlier one's result fails with the reason.
async function check(name, needs, fn) {
  const missing = needs.filter((key) => ctx[key] === undefined);
  if (missing.length > 0) {
    checks.push({ name, ok: false, error: `not run: needs ${missing.join(', ')} from an earlier check` });
    return;
  }
  const started = Date.now();
  try {
    const detail = await fn();
    checks.push({ name, ok: true, ms: Date.now() - started, detail: detail ?? {} });
  } catch (err) {
    const error = err instanceof Mismatch ? err.message : `${err && err.name}: ${err && err.message}`;
    checks.push({ name, ok: false, ms: Date.now() - started, error, errorCode: err && err.errorCode });
  }
}

async function oauthWebServerFlowWithPkce() {
  const oauth2 = new jsforce.OAuth2({ loginUrl: base, clientId, redirectUri: callback, useVerifier: true });
  expectEqual(oauth2.codeVerifier.length, 171, 'jsforce verifier length');
  const state = 'conformance-' + Date.now();
  const authorizeUrl = oauth2.getAuthorizationUrl({ scope: 'api refresh_token', state });
  const query = new URL(authorizeUrl).searchParams;
  expect(query.has('code_challenge'), 'authorize URL carries code_challenge', authorizeUrl);
  expect(!query.has('code_challenge_method'), 'jsforce sends no code_challenge_method', authorizeUrl);

  const answer = await fetch(authorizeUrl, { redirect: 'manual' });
  expect([302, 303].includes(answer.status), 'authorize answers a redirect', answer.status);
  const location = answer.headers.get('location') || '';
  expect(location.startsWith(callback), 'redirect goes to the registered callback', location);
  const params = new URL(location).searchParams;
  expectEqual(params.get('state'), state, 'state echoed');
  const code = params.get('code');
  expect(code, 'redirect carries a code', location);

  const token = await oauth2.requestToken(code);
  expect(typeof token.access_token === 'string' && token.access_token.length > 20, 'access_token', token.access_token?.length);
  expect(typeof token.refresh_token === 'string' && token.refresh_token.length > 20, 'refresh_token with the refresh_token scope');
  expectEqual(token.instance_url, base, 'instance_url');
  expectEqual(token.token_type, 'Bearer', 'token_type');
  expect(/\/id\/00D[a-zA-Z0-9]{15}\/005[a-zA-Z0-9]{15}$/.test(token.id), 'id is the identity URL', token.id);
  expect(/^\d{13}$/.test(token.issued_at), 'issued_at is milliseconds as a string', token.issued_at);
  expect(typeof token.signature === 'string' && token.signature.length > 0, 'signature');
  expect(!('expires_in' in token), 'no expires_in, as Salesforce', Object.keys(token));

  const second = await oauth2.requestToken(code).then(() => 'accepted', (err) => err.name || err.message);
  expect(second !== 'accepted', 'an authorization code is single use');

  ctx.oauth2 = oauth2;
  ctx.conn = new jsforce.Connection({
    oauth2,
    instanceUrl: token.instance_url,
    accessToken: token.access_token,
    refreshToken: token.refresh_token,
    version,
  });
  return { verifierLength: oauth2.codeVerifier.length, scope: token.scope };
}

async function identity() {
  const me = await ctx.conn.identity();
  expect(ID_18.test(me.user_id) && me.user_id.startsWith('005'), 'identity user_id', me.user_id);
  expect(typeof me.username === 'string' && me.username.includes('@'), 'identity username', me.username);
  return { username: me.username };
}

async function refreshAfterForcedExpiry() {
  const conn = ctx.conn;
  const before = conn.accessToken;
  const expired = await fetch(`${base}/__sandbox/sessions/expire`, { method: 'POST' });
  expect(expired.ok, 'POST /__sandbox/sessions/expire', expired.status);
  const stale = await fetch(`${base}/services/data/v${version}/limits`, { headers: { Authorization: `Bearer ${before}` } });
  expectEqual(stale.status, 401, 'old token refused after expiry');
  const body = await stale.json();
  expectEqual(body[0] && body[0].errorCode, 'INVALID_SESSION_ID', 'errorCode of an expired session');

  let refreshed = 0;
  conn.on('refresh', () => { refreshed += 1; });
  const result = await conn.query('SELECT Id, Name FROM Account ORDER BY Name LIMIT 1');
  expectEqual(refreshed, 1, 'jsforce refreshed the session once');
  expect(conn.accessToken && conn.accessToken !== before, 'a new access token is in use');
  expectEqual(result.records.length, 1, 'query after refresh returns its row');
  expect(ID_18.test(result.records[0].Id), 'row Id', result.records[0].Id);
  return { refreshed };
}

async function describe() {
  const global = await ctx.conn.describeGlobal();
  const names = global.sobjects.map((s) => s.name);
  for (const name of ['Account', 'Contact', 'Opportunity', 'Lead']) {
    expect(names.includes(name), `global describe lists ${name}`);
  }
  const account = await ctx.conn.describe('Account');
  expectEqual(account.name, 'Account', 'describe name');
  expectEqual(account.keyPrefix, '001', 'Account key prefix');
  const byName = Object.fromEntries(account.fields.map((f) => [f.name, f]));
  expect(byName.Name && !byName.Name.nillable && byName.Name.createable, 'Name is required on create', byName.Name);
  expect(byName.External_Id__c && byName.External_Id__c.externalId, 'External_Id__c is an external id');
  expectEqual(byName.Id && byName.Id.type, 'id', 'Id field type');
  return { sobjects: names.length, accountFields: account.fields.length };
}

async function paginatedQuery() {
  const conn = ctx.conn;
  const total = (await conn.query('SELECT COUNT() FROM Contact')).totalSize;
  expect(total > 400, 'the seeded org has more than 400 contacts (3 pages of 200)', total);
  let pages = 0;
  const options = { autoFetch: true, maxFetch: 100000, headers: { 'Sforce-Query-Options': 'batchSize=200' } };
  const query = conn.query('SELECT Id, LastName FROM Contact ORDER BY Id', options);
  query.on('fetch', () => { pages += 1; });
  const result = await query;
  expect(pages >= 3, 'at least three pages fetched', pages);
  expectEqual(result.totalSize, total, 'totalSize');
  expectEqual(result.records.length, total, 'records fetched across pages');
  expectEqual(new Set(result.records.map((r) => r.Id)).size, total, 'distinct ids across pages');
  expect(result.records.every((r) => r.attributes && r.attributes.type === 'Contact'), 'attributes.type on every row');

  let cappedPages = 0;
  const capped = conn.query('SELECT Id FROM Contact ORDER BY Id', { ...options, maxFetch: 250 });
  capped.on('fetch', () => { cappedPages += 1; });
  const cappedResult = await capped;
  expectEqual(cappedResult.records.length, 250, 'maxFetch caps the rows');
  expectEqual(cappedPages, 2, 'maxFetch 250 at 200 a page stops after two pages');
  expectEqual(cappedResult.records[249].Id, result.records[249].Id, 'pages keep the order');
  return { total, pages };
}

async function crud() {
  const accounts = ctx.conn.sobject('Account');
  const created = await accounts.create({ Name: 'Conformance Co', Industry: 'Technology' });
  expect(created.success === true && ID_18.test(created.id) && created.id.startsWith('001'), 'create result', created);
  const id = created.id;
  const read = await accounts.retrieve(id);
  expectEqual(read.Name, 'Conformance Co', 'created Name');
  expectEqual(read.Industry, 'Technology', 'created Industry');

  const updated = await accounts.update({ Id: id, Name: 'Conformance Co (renamed)' });
  expect(updated.success === true && updated.id === id, 'update result', updated);
  expectEqual((await accounts.retrieve(id)).Name, 'Conformance Co (renamed)', 'updated Name');

  const deleted = await accounts.destroy(id);
  expect(deleted.success === true && deleted.id === id, 'delete result', deleted);
  const afterDelete = await accounts.retrieve(id).then(() => 'found', (err) => err.errorCode);
  expectEqual(afterDelete, 'ENTITY_IS_DELETED', 'reading a deleted record');
  ctx.deletedAccountId = id;
  return { id };
}

async function queryAll() {
  const id = ctx.deletedAccountId;
  const soql = `SELECT Id, IsDeleted FROM Account WHERE Id = '${id}'`;
  const live = await ctx.conn.query(soql);
  expectEqual(live.totalSize, 0, 'query hides the deleted record');
  const all = await ctx.conn.query(soql, { scanAll: true });
  expectEqual(all.totalSize, 1, 'queryAll finds the deleted record');
  expectEqual(all.records[0].IsDeleted, true, 'IsDeleted');
  return {};
}

async function upsertByExternalId() {
  const accounts = ctx.conn.sobject('Account');
  const key = 'JSF-UPSERT-' + Date.now();
  const first = await accounts.upsert({ External_Id__c: key, Name: 'Upsert Co' }, 'External_Id__c');
  expect(first.success === true && first.created === true && ID_18.test(first.id), 'first upsert creates', first);
  const second = await accounts.upsert({ External_Id__c: key, Name: 'Upsert Co (again)' }, 'External_Id__c');
  expect(second.success === true && second.created === false, 'second upsert updates', second);
  expectEqual(second.id, first.id, 'both upserts name the same record');
  const read = await ctx.conn.query(`SELECT Id, Name FROM Account WHERE External_Id__c = '${key}'`);
  expectEqual(read.totalSize, 1, 'one record per external id');
  expectEqual(read.records[0].Name, 'Upsert Co (again)', 'upserted Name');
  return { id: first.id };
}

async function collectionsWithOneInvalidRecord() {
  const contacts = ctx.conn.sobject('Contact');
  const results = await contacts.create(
    [{ LastName: 'Collection One' }, { FirstName: 'No last name' }, { LastName: 'Collection Three' }],
    { allOrNone: false },
  );
  expect(Array.isArray(results) && results.length === 3, 'one result per record, in order', results);
  expect(results[0].success && ID_18.test(results[0].id), 'first record created', results[0]);
  expect(results[2].success && ID_18.test(results[2].id), 'third record created', results[2]);
  expect(results[1].success === false, 'second record refused', results[1]);
  const error = results[1].errors && results[1].errors[0];
  expectEqual(error && error.statusCode, 'REQUIRED_FIELD_MISSING', 'statusCode (not errorCode) inside collections');
  expect(Array.isArray(error.fields) && error.fields.includes('LastName'), 'error names the field', error);

  const removed = await contacts.destroy([results[0].id, results[2].id]);
  expect(removed.length === 2 && removed.every((r) => r.success), 'collection delete', removed);
  return { created: 2, failed: 1 };
}

async function composite() {
  const v = `/services/data/v${version}`;
  const answer = await ctx.conn.requestPost('/composite', {
    allOrNone: true,
    compositeRequest: [
      { method: 'POST', url: `${v}/sobjects/Account`, referenceId: 'newAccount', body: { Name: 'Composite Co' } },
      {
        method: 'POST',
        url: `${v}/sobjects/Contact`,
        referenceId: 'newContact',
        body: { LastName: 'Composite', AccountId: '@{newAccount.id}' },
      },
      { method: 'GET', url: `${v}/sobjects/Contact/@{newContact.id}`, referenceId: 'readBack' },
    ],
  });
  const parts = answer && answer.compositeResponse;
  expect(Array.isArray(parts) && parts.length === 3, 'three subresponses', answer);
  expectEqual(parts.map((p) => p.referenceId).join(','), 'newAccount,newContact,readBack', 'referenceIds in order');
  expectEqual(parts.map((p) => p.httpStatusCode).join(','), '201,201,200', 'subresponse statuses');
  expectEqual(parts[2].body.AccountId, parts[0].body.id, 'reference resolved into the contact');
  return { accountId: parts[0].body.id };
}

async function bulkLoadWithOneFailingRow() {
  const conn = ctx.conn;
  const stamp = Date.now();
  const csv = [
    'Name,External_Id__c',
    `Bulk One,JSF-BULK-${stamp}-1`,
    `,JSF-BULK-${stamp}-2`,
    `Bulk Three,JSF-BULK-${stamp}-3`,
  ].join('\n') + '\n';
  conn.bulk2.pollInterval = 200;
  conn.bulk2.pollTimeout = 60000;
  const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert', lineEnding: 'LF' });
  await job.open();
  expect(job.id && job.id.startsWith('750'), 'ingest job id', job.id);
  await job.uploadData(csv);
  await job.close();
  await job.poll(200, 60000);

  const info = await conn.bulk2.job('ingest', { id: job.id }).check();
  expectEqual(info.state, 'JobComplete', 'job state');
  expectEqual(info.numberRecordsProcessed, 3, 'numberRecordsProcessed');
  expectEqual(info.numberRecordsFailed, 1, 'numberRecordsFailed');

  const ok = await job.getSuccessfulResults();
  expectEqual(ok.length, 2, 'successful rows');
  expect(ok.every((r) => ID_18.test(r.sf__Id) && String(r.sf__Created) === 'true'), 'sf__Id and sf__Created', ok);
  const failed = await job.getFailedResults();
  expectEqual(failed.length, 1, 'failed rows');
  expect(String(failed[0].sf__Error).startsWith('REQUIRED_FIELD_MISSING'), 'sf__Error', failed[0].sf__Error);
  expectEqual(failed[0].External_Id__c, `JSF-BULK-${stamp}-2`, 'failed row keeps its input columns');

  const rawOk = await job.getSuccessfulResults(true);
  const rawFailed = await job.getFailedResults(true);
  const header = (text) => text.split(/\r?\n/)[0].replace(/"/g, '');
  expectEqual(header(rawOk), 'sf__Id,sf__Created,Name,External_Id__c', 'successful results CSV header');
  expectEqual(header(rawFailed), 'sf__Id,sf__Error,Name,External_Id__c', 'failed results CSV header');

  const loaded = await conn.query(`SELECT Id FROM Account WHERE External_Id__c LIKE 'JSF-BULK-${stamp}-%'`);
  expectEqual(loaded.totalSize, 2, 'loaded rows are queryable');
  return { jobId: job.id };
}

async function limits() {
  const conn = ctx.conn;
  const answer = await conn.limits();
  const daily = answer && answer.DailyApiRequests;
  expect(daily && daily.Max > 0, 'DailyApiRequests.Max', daily);
  expect(daily.Remaining < daily.Max && daily.Remaining >= 0, 'calls so far are counted', daily);
  const usage = conn.limitInfo && conn.limitInfo.apiUsage;
  expect(usage && usage.limit === daily.Max, 'Sforce-Limit-Info api-usage matches the allocation', conn.limitInfo);
  return { max: daily.Max, remaining: daily.Remaining, used: usage.used };
}

async function soslSearch() {
  const conn = ctx.conn;
  const stamp = Date.now().toString(36);
  const name = `Xylophone ${stamp}`;
  const created = await conn.sobject('Account').create({ Name: name, Phone: '(415) 555-0123' });
  const answer = await conn.search(`FIND {"${name}"} IN NAME FIELDS RETURNING Account(Id, Name, Phone)`);
  const records = answer.searchRecords;
  expect(Array.isArray(records), 'searchRecords is an array', answer);
  expectEqual(records.length, 1, 'one account found by name');
  expectEqual(records[0].Id, created.id, 'the created account');
  expectEqual(records[0].attributes.type, 'Account', 'record type');
  const byPhone = await conn.search('FIND {"415 555 0123"} IN PHONE FIELDS RETURNING Account(Id)');
  expect(byPhone.searchRecords.some((r) => r.Id === created.id), 'found by phone digits', byPhone);
  let refused;
  try {
    await conn.search('FIND {x}');
  } catch (err) {
    refused = err;
  }
  expectEqual(refused && refused.errorCode, 'INVALID_SEARCH', 'a one-character term is refused');
  return { found: records.length };
}

async function listViews() {
  const accounts = ctx.conn.sobject('Account');
  const answer = await accounts.listviews();
  const names = answer.listviews.map((v) => v.developerName);
  expect(names.includes('AllAccounts') && names.includes('MyAccounts'), 'standard account views', names);
  const all = answer.listviews.find((v) => v.developerName === 'AllAccounts');
  const view = accounts.listview(all.id);
  const described = await view.describe();
  expect(described.query.startsWith('SELECT Name,'), 'the view describes its query', described.query);
  const results = await view.results();
  expect(results.size > 0 && results.records.length > 0, 'the view lists accounts', results.size);
  expect(results.records[0].columns.some((c) => c.fieldNameOrPath === 'Name'), 'rows carry a Name column');
  return { views: names.length, size: results.size };
}

async function layouts() {
  const contacts = ctx.conn.sobject('Contact');
  const answer = await contacts.layouts();
  const layout = answer.layouts[0];
  const headings = layout.detailLayoutSections.map((s) => s.heading);
  expect(headings.includes('Contact Information'), 'a Contact Information section', headings);
  const components = layout.detailLayoutSections.flatMap((s) => s.layoutRows.flatMap((r) => r.layoutItems.flatMap((i) => i.layoutComponents)));
  const name = components.find((c) => c.value === 'Name');
  expect(name && name.details && name.details.name === 'Name', 'Name carries its describe', name);
  const compact = await contacts.compactLayouts();
  expect(compact.compactLayouts[0].fieldItems.length > 0, 'a compact layout with fields', compact);
  return { sections: headings.length };
}

// A parent-child query, written by hand and by jsforce's query builder (`include`).
async function parentChildQuery() {
  const conn = ctx.conn;
  const stamp = Date.now();
  const parent = await conn.sobject('Account').create({ Name: `JSF Parent ${stamp}` });
  const lonely = await conn.sobject('Account').create({ Name: `JSF Lonely ${stamp}` });
  for (const lastName of ['Beta', 'Alpha', 'Gamma']) {
    await conn.sobject('Contact').create({ LastName: lastName, AccountId: parent.id });
  }
  const soql = `SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName LIMIT 2) FROM Account
    WHERE Name LIKE 'JSF % ${stamp}' ORDER BY Name DESC`;
  const result = await conn.query(soql);
  expectEqual(result.totalSize, 2, 'parents');
  const [withKids, without] = result.records;
  expectEqual(withKids.Contacts.totalSize, 2, 'LIMIT counts per parent');
  expectEqual(withKids.Contacts.done, true, 'child records come whole');
  expectEqual(withKids.Contacts.records.map((c) => c.LastName).join(','), 'Alpha,Beta', 'child order');
  expectEqual(withKids.Contacts.records[0].attributes.type, 'Contact', 'child attributes');
  expectEqual(without.Contacts, null, 'a parent without children');
  const built = await conn.sobject('Account')
    .find({ Id: parent.id }, ['Name'])
    .include('Contacts')
    .select(['LastName'])
    .sort('LastName', 'DESC')
    .end();
  expectEqual(built.length, 1, 'query builder parents');
  expectEqual(built[0].Contacts.records.map((c) => c.LastName).join(','), 'Gamma,Beta,Alpha', 'query builder children');
  ctx.parentId = parent.id;
  ctx.lonelyId = lonely.id;
  return { parent: parent.id };
}

async function semiAndAntiJoin() {
  const conn = ctx.conn;
  const ids = `('${ctx.parentId}', '${ctx.lonelyId}')`;
  const semi = await conn.query(
    `SELECT Id FROM Account WHERE Id IN ${ids} AND Id IN (SELECT AccountId FROM Contact WHERE LastName = 'Gamma')`);
  expectEqual(semi.records.map((r) => r.Id).join(','), ctx.parentId, 'semi-join keeps the parent');
  const anti = await conn.query(
    `SELECT Id FROM Account WHERE Id IN ${ids} AND Id NOT IN (SELECT AccountId FROM Contact)`);
  expectEqual(anti.records.map((r) => r.Id).join(','), ctx.lonelyId, 'anti-join keeps the childless account');
  const refused = await conn.query(
    `SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)`).then(() => 'answered', (err) => err.errorCode);
  expectEqual(refused, 'INVALID_FIELD', 'a semi-join selecting a text field');
  return {};
}

async function main() {
  await check('oauth_web_server_pkce', [], oauthWebServerFlowWithPkce);
  await check('identity', ['conn'], identity);
  await check('refresh_after_expiry', ['conn'], refreshAfterForcedExpiry);
  await check('describe', ['conn'], describe);
  await check('query_autofetch_pages', ['conn'], paginatedQuery);
  await check('create_update_delete', ['conn'], crud);
  await check('query_all', ['conn', 'deletedAccountId'], queryAll);
  await check('upsert_external_id', ['conn'], upsertByExternalId);
  await check('collections_partial_failure', ['conn'], collectionsWithOneInvalidRecord);
  await check('composite', ['conn'], composite);
  await check('bulk2_ingest', ['conn'], bulkLoadWithOneFailingRow);
  await check('sosl_search', ['conn'], soslSearch);
  await check('list_views', ['conn'], listViews);
  await check('layouts', ['conn'], layouts);
  await check('limits', ['conn'], limits);
  await check('parent_child_query', ['conn'], parentChildQuery);
  await check('semi_and_anti_join', ['conn', 'parentId'], semiAndAntiJoin);

  const failed = checks.filter((c) => !c.ok).length;
  const report = {
    ok: failed === 0,
    jsforceVersion: jsforce.VERSION,
    passed: checks.length - failed,
    failed,
    checks,
  };
  process.stdout.write(JSON.stringify(report) + '\n');
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.stack) }) + '\n');
  process.exitCode = 1;
});
