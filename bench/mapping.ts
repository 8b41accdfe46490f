/**
 * Mapping throughput: 200k synthetic Salesforce-Contact records through the compiled template
 * (objects, then JSON text as PutProfileObject sends it). Prints figures; asserts nothing.
 * Run: npx tsx bench/mapping.ts [count]
 */
import { type CompiledObjectType, compileObjectType } from "../src/ingest/compile-object-type.ts";
import type { ObjectTypeDefinition } from "../src/ingest/object-type.ts";
import { implicitObjectType } from "../src/ingest/templates.ts";
import { validateObjectType } from "../src/ingest/validate-object-type.ts";

const count = Number(process.argv[2] ?? 200_000);
const FIRST = ["Ann", "Bo", "Chen", "Dara", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun"];
const LAST = ["Lee", "Smith", "Garcia", "Okafor", "Novak", "Kim", "Rossi", "Silva"];
const CITY = ["San Francisco", "Austin", "Boston", "Denver", "Seattle"];

let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const pad = (n: number, w: number) => String(n).padStart(w, "0");

function contact(i: number): Record<string, unknown> {
  const first = FIRST[rand(FIRST.length)]!;
  const last = LAST[rand(LAST.length)]!;
  const area = 200 + rand(700);
  return {
    attributes: { type: "Contact", url: `/services/data/v60.0/sobjects/Contact/003${pad(i, 15)}` },
    Id: `003${pad(i, 15)}`,
    AccountId: `001${pad(rand(20_000), 15)}`,
    FirstName: first,
    LastName: last,
    MiddleName: null,
    Email: `${first}.${last}${i}@Example.com`,
    // Mixed spellings, as real CRMs hold them; unique numbers defeat the phone memo on purpose.
    Phone: i % 2 ? `(${area}) 555-${pad(i % 10_000, 4)}` : `+1 ${area} 555 ${pad(i % 10_000, 4)}`,
    MobilePhone: i % 3 === 0 ? `${area}.555.${pad((i * 7) % 10_000, 4)}` : null,
    HomePhone: null,
    Birthdate: `19${50 + rand(50)}-0${1 + rand(9)}-1${rand(9)}`,
    MailingStreet: `${1 + rand(999)} Market St`,
    MailingCity: CITY[rand(CITY.length)],
    MailingState: "CA",
    MailingCountry: "USA",
    MailingPostalCode: pad(rand(99_999), 5),
    OtherStreet: null,
    OtherCity: null,
    SystemModstamp: `2024-0${1 + rand(9)}-1${rand(9)}T1${rand(9)}:2${rand(9)}:3${rand(9)}.000+0000`,
  };
}

// The template plus what a custom type adds: normalized _email / _phone keys and a Handlebars field.
const withKeys: ObjectTypeDefinition = validateObjectType({
  ObjectTypeName: "ContactWithKeys",
  Description: "Salesforce-Contact fields plus email and phone keys",
  AllowProfileCreation: true,
  SourceLastUpdatedTimestampFormat: "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
  Fields: {
    ...implicitFields(),
    fullName: {
      Source: "{{_source.FirstName}} {{_source.LastName}}",
      Target: "_profile.Attributes.fullName",
    },
  },
  Keys: {
    _salesforceContactId: [{ StandardIdentifiers: ["PROFILE", "UNIQUE"], FieldNames: ["sfdcContactId"] }],
    _email: [{ StandardIdentifiers: ["PROFILE"], FieldNames: ["Email"] }],
    _phone: [{ StandardIdentifiers: ["PROFILE", "SECONDARY"], FieldNames: ["Phone"] }],
  },
});

function implicitFields() {
  const tpl = compileObjectType(implicitObjectType("Salesforce-Contact")!).definition;
  return { ...tpl.Fields };
}

function run(
  label: string,
  inputs: readonly unknown[],
  def = implicitObjectType("Salesforce-Contact")!,
): void {
  const compiled: CompiledObjectType = compileObjectType(def);
  let errors = 0;
  let keys = 0;
  const start = process.hrtime.bigint();
  for (const input of inputs) {
    const r = compiled.map(input);
    if (r.ok) keys += r.keys.length;
    else errors++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = Math.round(inputs.length / seconds).toLocaleString("en-US");
  console.log(
    `${label.padEnd(34)} ${inputs.length} records in ${seconds.toFixed(2)} s = ${rate} maps/s  (keys ${keys}, errors ${errors})`,
  );
}

const records = Array.from({ length: count }, (_, i) => contact(i));
const texts = records.map((r) => JSON.stringify(r));
console.log(`node ${process.version}, ${count} Salesforce-Contact records`);
run("template, objects, first pass", records);
run("template, objects, second pass", records);
run("template, JSON text (parse + map)", texts);
run("+ _email/_phone keys + Handlebars", records, withKeys);
run("  same, second pass (phone memo)", records, withKeys);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
