// Drives jsforce 3's Bulk API 1.0 (`conn.bulk`), Bulk API 2.0 edge cases and the activity,
// campaign and product objects against a sandbox org, and prints one JSON report on stdout.
//
// Environment: SANDBOX_BASE_URL (instance URL), SANDBOX_ACCESS_TOKEN (a session of the demo
// user), optional SANDBOX_API_VERSION. Exits 1 when any check fails. Every result is checked
// for its shape and values, never just for "no exception".
'use strict';

const jsforce = require('jsforce');

const base = requiredEnv('SANDBOX_BASE_URL').replace(/\/$/, '');
const accessToken = requiredEnv('SANDBOX_ACCESS_TOKEN');
const version = process.env.SANDBOX_API_VERSION || '59.0';
const ID_18 = /^[a-zA-Z0-9]{18}$/;
const stamp = Date.now().toString(36);

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

function collect(recordStream) {
  return new Promise((resolve, reject) => {
    const records = [];
    recordStream.on('record', (r) => records.push(r));
    recordStream.on('end', () => resolve(records));
    recordStream.on('error', reject);
  });
}

async function bulk1Insert() {
  const conn = ctx.conn;
  const rows = [];
  for (let i = 0; i < 250; i += 1) {
    rows.push({ Name: `JSF1-${stamp}-${String(i).padStart(3, '0')}`, NumberOfEmployees: i, Description: i === 7 ? 'has, a comma and "quotes"' : null });
  }
  rows.push({ NumberOfEmployees: 1 }); // no Name: this row fails
  const results = await conn.bulk.load('Account', 'insert', rows);
  expectEqual(results.length, 251, 'one result per row');
  const ok = results.filter((r) => r.success);
  expectEqual(ok.length, 250, 'successful rows');
  expect(ok.every((r) => ID_18.test(r.id) && r.id.startsWith('001') && r.created), 'ids of created accounts', ok[0]);
  const failed = results[250];
  expect(!failed.success && /REQUIRED_FIELD_MISSING/.test(failed.errors[0] || ''), 'the row without a Name fails with REQUIRED_FIELD_MISSING', failed);
  const seventh = await conn.sobject('Account').retrieve(ok[7].id);
  expectEqual(seventh.Description, 'has, a comma and "quotes"', 'a quoted CSV value arrives whole');
  ctx.bulkIds = ok.map((r) => r.id);
  return { created: ok.length };
}

async function bulk1Query() {
  const conn = ctx.conn;
  conn.bulk.pollInterval = 100;
  const records = await collect(await conn.bulk.query(`SELECT Id, Name, NumberOfEmployees FROM Account WHERE Name LIKE 'JSF1-${stamp}-%' ORDER BY Name`));
  expectEqual(records.length, 250, 'every inserted row is queried back');
  expectEqual(records[3].Name, `JSF1-${stamp}-003`, 'rows in ORDER BY order');
  expectEqual(String(records[3].NumberOfEmployees), '3', 'numbers as written');
  expect(ctx.bulkIds.includes(records[0].Id), 'queried ids are the inserted ids', records[0]);
  return { records: records.length };
}

async function bulk1Update() {
  const conn = ctx.conn;
  const rows = ctx.bulkIds.slice(0, 220).map((Id, i) => ({ Id, Name: `JSF1-${stamp}-renamed-${i}` }));
  const results = await conn.bulk.load('Account', 'update', rows);
  expectEqual(results.filter((r) => r.success).length, 220, 'every row updated');
  expect(results.every((r) => !r.created), 'updates create nothing', results[0]);
  const check = await conn.query(`SELECT COUNT() FROM Account WHERE Name LIKE 'JSF1-${stamp}-renamed-%'`);
  expectEqual(check.totalSize, 220, 'renamed rows are queryable');
  return { updated: 220 };
}

async function bulk1Delete() {
  const conn = ctx.conn;
  const results = await conn.bulk.load('Account', 'delete', ctx.bulkIds.map((Id) => ({ Id })));
  expectEqual(results.filter((r) => r.success).length, 250, 'every row deleted');
  const left = await conn.query(`SELECT COUNT() FROM Account WHERE Name LIKE 'JSF1-${stamp}-%'`);
  expectEqual(left.totalSize, 0, 'deleted rows are gone from query');
  const all = await conn.query(`SELECT COUNT() FROM Account WHERE Name LIKE 'JSF1-${stamp}-%' AND IsDeleted = true`, { scanAll: true });
  expectEqual(all.totalSize, 250, 'deleted rows are in the recycle bin');
  return { deleted: 250 };
}

async function bulk1JobLifecycle() {
  const conn = ctx.conn;
  const job = conn.bulk.createJob('Contact', 'insert');
  const info = await job.open();
  expect(ID_18.test(info.id) && info.id.startsWith('750'), 'job id', info.id);
  expectEqual(info.state, 'Open', 'a new job is Open');
  expectEqual(info.contentType, 'CSV', 'contentType');
  const batch = job.createBatch();
  const done = new Promise((resolve, reject) => {
    batch.on('queue', () => batch.poll(100, 20000));
    batch.on('response', resolve);
    batch.on('error', reject);
  });
  batch.execute([{ LastName: `JSF1-${stamp}`, Email: 'not-an-email' }, { LastName: `JSF1-${stamp}-b` }]);
  const results = await done;
  expectEqual(results.length, 2, 'two results');
  expect(!results[0].success && /INVALID_EMAIL_ADDRESS/.test(results[0].errors[0] || ''), 'a bad email fails its row only', results[0]);
  expect(results[1].success, 'the other row is written', results[1]);
  const batches = await job.list();
  expectEqual(batches.length, 1, 'one batch in the job');
  expectEqual(batches[0].state, 'Completed', 'batch state');
  expectEqual(batches[0].numberRecordsFailed, '1', 'failed rows counted');
  const closed = await job.close();
  expectEqual(closed.state, 'Closed', 'closing answers Closed');

  const aborting = conn.bulk.createJob('Account', 'insert');
  await aborting.open();
  const aborted = await aborting.abort();
  expectEqual(aborted.state, 'Aborted', 'aborting answers Aborted');
  return {};
}

async function bulk1Errors() {
  const stale = new jsforce.Connection({ instanceUrl: base, accessToken: 'not-a-session', version });
  const err = await stale.bulk.createJob('Account', 'insert').open().then(() => null, (e) => e);
  expect(err, 'a bad session is refused');
  expectEqual(err.errorCode || err.name, 'InvalidSessionId', 'errorCode of a bad session');
  const unknown = await ctx.conn.bulk.createJob('Nope__c', 'insert').open().then(() => null, (e) => e);
  expect(unknown && (unknown.errorCode || unknown.name) === 'InvalidJob', 'an unknown object is InvalidJob', unknown && unknown.message);
  return {};
}

async function bulk2Edges() {
  const conn = ctx.conn;
  conn.bulk2.pollInterval = 100;
  // Upsert on an external id through Bulk API 2.0: created, then updated.
  const first = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'upsert',
    externalIdFieldName: 'External_Id__c',
    input: [{ External_Id__c: `JSF2-${stamp}`, Name: 'first' }],
  });
  expectEqual(first.successfulResults.length, 1, 'the upsert creates');
  expectEqual(first.successfulResults[0].sf__Created, 'true', 'created');
  const second = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'upsert',
    externalIdFieldName: 'External_Id__c',
    input: [{ External_Id__c: `JSF2-${stamp}`, Name: 'second' }],
  });
  expectEqual(second.successfulResults[0].sf__Created, 'false', 'the second upsert updates');
  expectEqual(second.successfulResults[0].sf__Id, first.successfulResults[0].sf__Id, 'same record');
  // A query matching nothing finishes with no rows.
  const none = await conn.bulk2.query(`SELECT Id FROM Account WHERE Name = 'JSF2-none-${stamp}'`);
  const rows = await collect(none);
  expectEqual(rows.length, 0, 'an empty query result');
  return {};
}

async function standardObjects() {
  const conn = ctx.conn;
  for (const [name, prefix] of [['Task', '00T'], ['Campaign', '701'], ['CampaignMember', '00v'], ['Product2', '01t'], ['Pricebook2', '01s'], ['PricebookEntry', '01u'], ['OpportunityLineItem', '00k'], ['RecordType', '012']]) {
    const d = await conn.sobject(name).describe();
    expectEqual(d.name, name, 'describe name');
    expectEqual(d.keyPrefix, prefix, `${name} keyPrefix`);
  }
  const task = await conn.sobject('Task').describe();
  const who = task.fields.find((f) => f.name === 'WhoId');
  expect(who && who.referenceTo.includes('Contact') && who.referenceTo.includes('Lead'), 'Task.WhoId refers to Contact and Lead', who && who.referenceTo);

  const standard = await conn.query('SELECT Id, Name FROM Pricebook2 WHERE IsStandard = true');
  expectEqual(standard.totalSize, 1, 'one standard price book');
  const account = await conn.sobject('Account').create({ Name: `JSF-OBJ-${stamp}` });
  const contact = await conn.sobject('Contact').create({ LastName: `JSF-OBJ-${stamp}`, AccountId: account.id });
  const opportunity = await conn.sobject('Opportunity').create({ Name: `JSF-OBJ-${stamp}`, StageName: 'Prospecting', CloseDate: '2030-01-31', AccountId: account.id });
  const product = await conn.sobject('Product2').create({ Name: `Widget ${stamp}`, ProductCode: `W-${stamp}`, IsActive: true, Family: 'Hardware' });
  expect(product.success && product.id.startsWith('01t'), 'a product is created', product);
  const entry = await conn.sobject('PricebookEntry').create({ Pricebook2Id: standard.records[0].Id, Product2Id: product.id, UnitPrice: 125, IsActive: true });
  expect(entry.success && entry.id.startsWith('01u'), 'a standard price is created', entry);
  const line = await conn.sobject('OpportunityLineItem').create({ OpportunityId: opportunity.id, PricebookEntryId: entry.id, Product2Id: product.id, Quantity: 3, UnitPrice: 120 });
  expect(line.success && line.id.startsWith('00k'), 'a line item is created', line);
  const lines = await conn.query(`SELECT Id, Quantity, UnitPrice, TotalPrice, Product2.Name, Opportunity.Name FROM OpportunityLineItem WHERE OpportunityId = '${opportunity.id}'`);
  expectEqual(lines.totalSize, 1, 'the line item is queryable by its deal');
  expectEqual(lines.records[0].TotalPrice, 360, 'TotalPrice is Quantity x UnitPrice');
  expectEqual(lines.records[0].Product2.Name, `Widget ${stamp}`, 'Product2.Name through the lookup');

  const campaign = await conn.sobject('Campaign').create({ Name: `JSF Campaign ${stamp}`, Type: 'Webinar', IsActive: true });
  const member = await conn.sobject('CampaignMember').create({ CampaignId: campaign.id, ContactId: contact.id, Status: 'Responded' });
  expect(member.success && member.id.startsWith('00v'), 'a campaign member is created', member);
  const members = await conn.query(`SELECT Id, Status, Contact.LastName, Campaign.Name FROM CampaignMember WHERE CampaignId = '${campaign.id}'`);
  expectEqual(members.totalSize, 1, 'the member is queryable by its campaign');
  expectEqual(members.records[0].Campaign.Name, `JSF Campaign ${stamp}`, 'Campaign.Name through the lookup');

  const created = await conn.sobject('Task').create({ Subject: 'Call', WhoId: contact.id, WhatId: opportunity.id, ActivityDate: '2030-01-15', Priority: 'High' });
  expect(created.success && created.id.startsWith('00T'), 'a task is created', created);
  const tasks = await conn.query(`SELECT Id, Subject, Status, IsClosed, IsHighPriority, WhoId, WhatId FROM Task WHERE WhatId = '${opportunity.id}'`);
  expectEqual(tasks.totalSize, 1, 'the task is queryable by WhatId');
  expectEqual(tasks.records[0].Status, 'Not Started', 'Status takes its default');
  expectEqual(tasks.records[0].IsHighPriority, true, 'IsHighPriority follows Priority');
  expectEqual(tasks.records[0].WhoId, contact.id, 'WhoId');
  const refused = await conn.sobject('Task').create({ Subject: 'Call', WhoId: opportunity.id }).then((r) => r, (e) => e);
  expect(refused && (refused.errorCode || refused.name) !== undefined && !refused.success, 'a WhoId that is not a Contact or Lead is refused', refused);
  return {};
}

async function main() {
  ctx.conn = new jsforce.Connection({ instanceUrl: base, accessToken, version });
  ctx.conn.bulk.pollInterval = 100;
  await check('bulk1_insert', ['conn'], bulk1Insert);
  await check('bulk1_query', ['bulkIds'], bulk1Query);
  await check('bulk1_update', ['bulkIds'], bulk1Update);
  await check('bulk1_delete', ['bulkIds'], bulk1Delete);
  await check('bulk1_job_lifecycle', ['conn'], bulk1JobLifecycle);
  await check('bulk1_errors', ['conn'], bulk1Errors);
  await check('bulk2_edges', ['conn'], bulk2Edges);
  await check('standard_objects', ['conn'], standardObjects);

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
