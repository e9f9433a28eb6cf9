// Validates every Admin API document under src/**/ShopifyApi/Documents against Shopify's published
// schema for the pinned version, and rejects deprecated fields, arguments and enum values so that a
// removal in a later version is caught here rather than in production.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildClientSchema, parse, validate, visit, visitWithTypeInfo, TypeInfo,
  getNamedType, isEnumType, Kind,
} from 'graphql';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const apiVersion = process.env.SHOPIFY_API_VERSION ?? '2026-10';
// run.sh unpacks the schema from the @shopify/dev-mcp package tarball into schema/ (the package's
// own dependency tree is large and irrelevant here).
const schemaPath = process.env.SHOPIFY_ADMIN_SCHEMA ?? join(here, 'schema', `admin_${apiVersion}.json.gz`);

const introspection = JSON.parse(gunzipSync(readFileSync(schemaPath)).toString('utf8'));
const schema = buildClientSchema(introspection.data ?? introspection);

function findDocuments(dir, found = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'bin' || name === 'obj' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      findDocuments(full, found);
    } else if (name.endsWith('.graphql') && full.split(/[\\/]/).slice(-3, -1).join('/') === 'ShopifyApi/Documents') {
      found.push(full);
    }
  }
  return found;
}

function deprecatedUses(document) {
  const problems = [];
  const typeInfo = new TypeInfo(schema);
  const at = (node) => (node.loc ? ` (line ${node.loc.startToken.line})` : '');
  visit(document, visitWithTypeInfo(typeInfo, {
    Field(node) {
      const field = typeInfo.getFieldDef();
      const parent = typeInfo.getParentType();
      if (field?.deprecationReason) {
        problems.push(`deprecated field ${parent?.name}.${field.name}${at(node)}: ${field.deprecationReason.trim()}`);
      }
    },
    Argument(node) {
      const arg = typeInfo.getArgument();
      if (arg?.deprecationReason) {
        problems.push(`deprecated argument ${arg.name}${at(node)}: ${arg.deprecationReason.trim()}`);
      }
    },
    ObjectField(node) {
      const inputType = typeInfo.getParentInputType();
      const named = inputType ? getNamedType(inputType) : null;
      const field = named && 'getFields' in named ? named.getFields()[node.name.value] : null;
      if (field?.deprecationReason) {
        problems.push(`deprecated input field ${named.name}.${field.name}${at(node)}: ${field.deprecationReason.trim()}`);
      }
    },
    EnumValue(node) {
      const type = getNamedType(typeInfo.getInputType());
      if (isEnumType(type)) {
        const value = type.getValue(node.value);
        if (value?.isDeprecated || value?.deprecationReason) {
          problems.push(`deprecated enum value ${type.name}.${node.value}${at(node)}: ${value.deprecationReason?.trim()}`);
        }
      }
    },
  }));
  return problems;
}

// Enum values passed as variables are not visible in the document; the client passes customer
// webhook topics, so those are checked here too.
function deprecatedEnumLiterals() {
  const problems = [];
  const topics = schema.getType('WebhookSubscriptionTopic');
  for (const name of ['CUSTOMERS_CREATE', 'CUSTOMERS_UPDATE', 'CUSTOMERS_DELETE']) {
    const value = topics?.getValue(name);
    if (!value) problems.push(`WebhookSubscriptionTopic.${name} does not exist`);
    else if (value.deprecationReason) problems.push(`deprecated enum value WebhookSubscriptionTopic.${name}: ${value.deprecationReason}`);
  }
  return problems;
}

const files = findDocuments(join(repoRoot, 'src')).sort();
let passed = 0;
let failed = 0;
for (const file of files) {
  const name = relative(repoRoot, file);
  let problems;
  try {
    const document = parse(readFileSync(file, 'utf8'));
    problems = validate(schema, document).map((e) => e.message);
    if (problems.length === 0) problems = deprecatedUses(document);
    if (!document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION)) problems.push('no operation');
  } catch (error) {
    problems = [`syntax: ${error.message}`];
  }
  if (problems.length === 0) {
    passed++;
    console.log(`ok    ${name}`);
  } else {
    failed++;
    console.log(`FAIL  ${name}`);
    for (const problem of problems) console.log(`      ${problem}`);
  }
}

const literalProblems = deprecatedEnumLiterals();
for (const problem of literalProblems) console.log(`FAIL  webhook topics: ${problem}`);
if (files.length === 0) console.log('no documents found under src/**/ShopifyApi/Documents');

console.log(`schema: admin ${apiVersion}`);
console.log(`graphql documents: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || literalProblems.length > 0 || files.length === 0 ? 1 : 0);
