// Creates and reads custom fields through jsforce 3's Tooling API against a sandbox org and
// prints one JSON report.
//
// Environment: SANDBOX_BASE_URL (instance URL), SANDBOX_ACCESS_TOKEN, optional
// SANDBOX_API_VERSION.
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

const churnRisk = {
  FullName: 'Account.Churn_Risk__c',
  Metadata: {
    label: 'Churn Risk',
    type: 'Number',
    precision: 5,
    scale: 2,
    externalId: false,
    unique: false,
    required: false,
    description: 'How likely the account is to leave',
    inlineHelpText: '0 to 100',
  },
};

let createdId = null;

async function createField() {
  const result = await conn.tooling.sobject('CustomField').create(churnRisk);
  expectEqual([result.success, result.errors], [true, []], 'the create result');
  createdId = result.id;
  return { id: result.id };
}

async function duplicateIsRefused() {
  const outcome = await conn.tooling.sobject('CustomField').create(churnRisk).then(
    (result) => ['answered', result],
    (err) => [err.errorCode, err.message]
  );
  expectEqual(outcome[0], 'DUPLICATE_DEVELOPER_NAME', 'the error code');
  return { errorCode: outcome[0], message: outcome[1] };
}

async function badLengthIsRefused() {
  const outcome = await conn.tooling
    .sobject('CustomField')
    .create({ FullName: 'Account.Too_Long__c', Metadata: { label: 'Too Long', type: 'Text', length: 300 } })
    .then(
      () => 'answered',
      (err) => err.errorCode
    );
  expectEqual(outcome, 'FIELD_INTEGRITY_EXCEPTION', 'the error code');
  return { errorCode: outcome };
}

async function queryCustomField() {
  const result = await conn.tooling.query(
    "SELECT Id, DeveloperName, TableEnumOrId, FullName, Metadata FROM CustomField WHERE DeveloperName = 'Churn_Risk'"
  );
  expectEqual([result.totalSize, result.done, result.records.length], [1, true, 1], 'one record');
  const record = result.records[0];
  expectEqual(record.Id, createdId, 'the created id');
  return {
    developerName: record.DeveloperName,
    table: record.TableEnumOrId,
    fullName: record.FullName,
    type: record.Metadata.type,
    precision: record.Metadata.precision,
    scale: record.Metadata.scale,
  };
}

async function queryFieldDefinition() {
  const result = await conn.tooling.query(
    "SELECT QualifiedApiName, DataType, EntityDefinition.QualifiedApiName FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = 'Account' AND QualifiedApiName = 'Churn_Risk__c'"
  );
  expectEqual(result.records.length, 1, 'one field definition');
  const record = result.records[0];
  return { dataType: record.DataType, entity: record.EntityDefinition.QualifiedApiName };
}

// A field created through the Tooling API is hidden until a permission set grants it.
async function fieldIsUsable() {
  const hidden = await conn.sobject('Account').describe();
  const hiddenBeforeGrant = !hidden.fields.some((f) => f.name === 'Churn_Risk__c');
  const admin = await conn.query("SELECT Id FROM PermissionSet WHERE Profile.Name = 'System Administrator'");
  const grant = await conn.sobject('FieldPermissions').create({
    ParentId: admin.records[0].Id,
    SobjectType: 'Account',
    Field: 'Account.Churn_Risk__c',
    PermissionsRead: true,
    PermissionsEdit: true,
  });
  expectEqual(grant.success, true, 'the grant');
  const describe = await conn.sobject('Account').describe();
  const field = describe.fields.find((f) => f.name === 'Churn_Risk__c');
  if (!field) throw new Mismatch('Churn_Risk__c is in the Account describe');
  const created = await conn.sobject('Account').create({ Name: 'Risky', Churn_Risk__c: 64.5 });
  const rows = await conn.query(`SELECT Churn_Risk__c FROM Account WHERE Id = '${created.id}'`);
  return { hiddenBeforeGrant, type: field.type, value: rows.records[0].Churn_Risk__c };
}

async function describeGlobal() {
  const global = await conn.tooling.describeGlobal();
  return { names: global.sobjects.map((s) => s.name) };
}

async function retrieveAndDelete() {
  const record = await conn.tooling.sobject('CustomField').retrieve(createdId);
  const deleted = await conn.tooling.sobject('CustomField').destroy(createdId);
  const describe = await conn.sobject('Account').describe();
  return {
    fullName: record.FullName,
    deleted: deleted.success,
    stillDescribed: describe.fields.some((f) => f.name === 'Churn_Risk__c'),
  };
}

async function main() {
  await check('create_field', createField);
  await check('duplicate_is_refused', duplicateIsRefused);
  await check('bad_length_is_refused', badLengthIsRefused);
  await check('query_custom_field', queryCustomField);
  await check('query_field_definition', queryFieldDefinition);
  await check('field_is_usable', fieldIsUsable);
  await check('describe_global', describeGlobal);
  await check('retrieve_and_delete', retrieveAndDelete);
  const failed = checks.filter((c) => !c.ok).length;
  process.stdout.write(JSON.stringify({ ok: failed === 0, jsforceVersion: jsforce.VERSION, checks }) + '\n');
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.stack) }) + '\n');
  process.exitCode = 1;
});
