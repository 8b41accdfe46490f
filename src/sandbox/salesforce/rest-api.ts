import { ByteSink, json, type Reply, type SandboxRequest, type SandboxWorld } from "../core/index.ts";
import { SALESFORCE_PREFIX } from "../population/ids.ts";
import { SfError, sfErrors } from "./errors.ts";
import { findObject, SF_FIELDS, sfDateTime } from "./fields.ts";
import { fullRecord, type QueryResult, runQuery } from "./query-engine.ts";
import { writeRestRecords } from "./record-render.ts";

interface Locator {
  result: QueryResult;
  createdAt: number;
}

const LOCATOR_TTL_MS = 2 * 86_400_000;
const MAX_LOCATORS = 500;
const DELETED_RETENTION_MS = 15 * 86_400_000;

/** REST query / queryAll with locators, sobjects, describe, deleted. */
export class RestApi {
  readonly #world: SandboxWorld;
  readonly #locators = new Map<string, Locator>();
  #n = 0;
  #pages = 0;
  constructor(world: SandboxWorld) {
    this.#world = world;
  }

  /** `GET …/query?q=` and `…/queryAll?q=`. */
  query(req: SandboxRequest, all: boolean, v: string): Reply {
    const q = req.url.searchParams.get("q");
    if (!q) throw new SfError(400, "MALFORMED_QUERY", "A query string has to be specified");
    const result = runQuery(this.#world, q, all);
    if (result.count) return json(200, { totalSize: result.refs.length, done: true, records: [] });
    const id = `0r8Sb${String(++this.#n).padStart(10, "0")}AAA`;
    this.#locators.set(id, { result, createdAt: this.#world.clock.now() });
    if (this.#locators.size > MAX_LOCATORS)
      this.#locators.delete(this.#locators.keys().next().value as string);
    return this.#page(id, 0, batchSize(req), all, v);
  }

  /** `GET …/query/{locator}-{offset}` (also under queryAll). */
  more(req: SandboxRequest, locator: string, all: boolean, v: string): Reply {
    const m = /^(0r8\w{15})-(\d+)$/.exec(locator);
    const loc = m ? this.#locators.get(m[1]!) : undefined;
    if (!m || !loc || this.#world.clock.now() - loc.createdAt > LOCATOR_TTL_MS)
      throw sfErrors.invalidLocator();
    return this.#page(m[1]!, Number(m[2]), batchSize(req), all, v);
  }

  #page(id: string, offset: number, size: number, all: boolean, v: string): Reply {
    const { result } = this.#locators.get(id)!;
    const { refs, store } = result;
    if (offset > refs.length) throw sfErrors.invalidLocator();
    const end = Math.min(refs.length, offset + size);
    const done = end >= refs.length;
    // The bytes JSON.stringify gave for {totalSize, done, nextRecordsUrl?, records}, written row by row.
    const body = new ByteSink((end - offset) * 1024 + 256);
    body.write(`{"totalSize":${refs.length},"done":${done}`);
    if (!done)
      body.write(
        `,"nextRecordsUrl":${JSON.stringify(`/services/data/v${v}/${all ? "queryAll" : "query"}/${id}-${end}`)}`,
      );
    body.write(`,"records":[`);
    writeRestRecords(body, store, result.object, result.fields, refs, offset, end, v);
    body.write("]}");
    // The knob moves records under a reader's feet; the locator keeps serving its snapshot.
    if (!done) this.#world.changeDuringRead(store, ++this.#pages);
    return {
      status: 200,
      headers: { "content-type": "application/json;charset=UTF-8" },
      body: body.toBuffer(),
    };
  }

  /** `GET …/sobjects`. */
  sobjects(v: string): Reply {
    return json(200, {
      encoding: "UTF-8",
      maxBatchSize: 200,
      sobjects: Object.keys(SF_FIELDS).map((name) => ({ ...objectSummary(name, v) })),
    });
  }

  /** `GET …/sobjects/{o}/describe`. */
  describe(name: string, v: string): Reply {
    const object = findObject(name);
    if (!object) throw new SfError(404, "NOT_FOUND", `The requested resource does not exist`);
    return json(200, {
      ...objectSummary(object, v),
      fields: SF_FIELDS[object]!.map((f) => ({
        name: f.name,
        label: f.name.replace(/([a-z])([A-Z])/g, "$1 $2"),
        type: f.type,
        soapType: soapType(f.type),
        length: ["string", "textarea", "email", "phone", "url", "picklist"].includes(f.type)
          ? 255
          : f.type === "id" || f.type === "reference"
            ? 18
            : 0,
        nillable:
          f.name !== "Id" && f.type !== "boolean" && !f.name.endsWith("Date") && f.name !== "SystemModstamp",
        filterable: true,
        sortable: f.type !== "textarea",
        createable: ![
          "Id",
          "IsDeleted",
          "CreatedDate",
          "LastModifiedDate",
          "SystemModstamp",
          "CreatedById",
          "LastModifiedById",
        ].includes(f.name),
        updateable: ![
          "Id",
          "IsDeleted",
          "CreatedDate",
          "LastModifiedDate",
          "SystemModstamp",
          "CreatedById",
          "LastModifiedById",
        ].includes(f.name),
        referenceTo: f.referenceTo ? [f.referenceTo] : [],
        relationshipName: f.referenceTo ? f.name.replace(/Id$/, "") : null,
        custom: false,
      })),
    });
  }

  /** `GET …/sobjects/{o}/deleted/?start=&end=`. */
  deleted(req: SandboxRequest, name: string): Reply {
    const object = findObject(name);
    const store = object ? this.#world.store("salesforce", object) : undefined;
    if (!store) throw new SfError(404, "NOT_FOUND", "The requested resource does not exist");
    const start = Date.parse(req.url.searchParams.get("start") ?? "");
    const end = Date.parse(req.url.searchParams.get("end") ?? "");
    if (Number.isNaN(start) || Number.isNaN(end))
      throw new SfError(400, "INVALID_REPLICATION_DATE", "start and end are required ISO-8601 dates");
    if (end < start)
      throw new SfError(
        400,
        "INVALID_REPLICATION_DATE",
        "startDate must chronologically precede endDate by more than one minute",
      );
    const now = this.#world.clock.now();
    const earliest =
      Math.floor(Math.max(this.#world.historyStart, now - DELETED_RETENTION_MS) / 60_000) * 60_000;
    const latest = Math.floor(Math.min(end, now) / 60_000) * 60_000;
    const deletedRecords = [];
    for (const v of store.scan({
      from: Math.max(start, earliest),
      to: latest + 1,
      now,
      includeDeleted: true,
    })) {
      if (v.deleted) deletedRecords.push({ id: store.def.idOf(v.index), deletedDate: sfDateTime(v.stamp) });
    }
    return json(200, {
      deletedRecords,
      earliestDateAvailable: sfDateTime(earliest),
      latestDateCovered: sfDateTime(latest),
    });
  }

  /** `GET …/sobjects/{o}/{id}`. */
  retrieve(name: string, id: string, v: string): Reply {
    const object = findObject(name);
    const store = object ? this.#world.store("salesforce", object) : undefined;
    const ver = store?.byId(id, this.#world.clock.now());
    if (!store || !ver || ver.deleted)
      throw new SfError(404, "NOT_FOUND", "The requested resource does not exist");
    const rec = fullRecord(store, ver);
    return json(200, {
      attributes: { type: object, url: `/services/data/v${v}/sobjects/${object}/${id}` },
      ...rec,
    });
  }
}

function objectSummary(name: string, v: string) {
  return {
    name,
    label: name,
    labelPlural: `${name}s`,
    keyPrefix: SALESFORCE_PREFIX[name as keyof typeof SALESFORCE_PREFIX],
    custom: false,
    queryable: true,
    retrieveable: true,
    replicateable: true,
    searchable: true,
    urls: {
      sobject: `/services/data/v${v}/sobjects/${name}`,
      describe: `/services/data/v${v}/sobjects/${name}/describe`,
      rowTemplate: `/services/data/v${v}/sobjects/${name}/{ID}`,
    },
  };
}

function soapType(t: string): string {
  return (
    {
      id: "tns:ID",
      reference: "tns:ID",
      boolean: "xsd:boolean",
      datetime: "xsd:dateTime",
      date: "xsd:date",
      double: "xsd:double",
      currency: "xsd:double",
      int: "xsd:int",
    }[t] ?? "xsd:string"
  );
}

function batchSize(req: SandboxRequest): number {
  const h = String(req.headers["sforce-query-options"] ?? "");
  const m = /batchSize\s*=\s*(\d+)/i.exec(h);
  return m ? Math.min(2000, Math.max(200, Number(m[1]))) : 2000;
}
