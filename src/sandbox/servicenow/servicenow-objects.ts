import type { ObjectDef, TruthLinks } from "../core/object-def.ts";
import { hash32, pick, strHash, unit } from "../core/rng.ts";
import { servicenowIndex, servicenowSysId } from "../population/ids.ts";
import type { ChildMap, Population } from "../population/population.ts";

/** Incidents per ServiceNow user in the generated history. */
export const incidentsPerUser = 1.5;

const CATEGORIES = ["inquiry", "software", "hardware", "network", "database"] as const;
const SUBJECTS = [
  "Unable to connect to VPN",
  "Email not syncing on phone",
  "Password reset request",
  "Laptop running slow",
  "Printer jams on every job",
  "Cannot access shared drive",
  "Request for new monitor",
  "Application crashes on start",
] as const;

/** The sys_id salt of a table, so ids differ between tables but stay stable across runs. */
export function tableSalt(table: string): number {
  return strHash(`servicenow/${table}`);
}

const ascii = (s: string) => s.normalize("NFD").replace(/[^A-Za-z]/g, "");
const str = (v: string | null | undefined) => v ?? "";

/** The sys_user table: one record per population member of the ServiceNow source. */
export function sysUserDef(pop: Population): ObjectDef {
  const salt = tableSalt("sys_user");
  const seed = pop.seed;
  return {
    vendor: "servicenow",
    name: "sys_user",
    count: pop.count("servicenow"),
    idOf: (i) => servicenowSysId(salt, i),
    indexOf: (id) => indexIfOurs(id, salt),
    generate(i) {
      const p = pop.personOf("servicenow", i);
      const v = pop.view("servicenow", p);
      return {
        sys_id: servicenowSysId(salt, i),
        user_name: `${ascii(v.firstName)}.${ascii(v.lastName)}${i}`.toLowerCase(),
        first_name: v.firstName,
        middle_name: str(v.middleName),
        last_name: v.lastName,
        name: `${v.firstName} ${v.lastName}`,
        email: str(v.email),
        phone: str(v.phone),
        home_phone: "",
        mobile_phone: str(v.mobilePhone),
        street: str(v.street),
        city: str(v.city),
        state: str(v.state),
        zip: str(v.postalCode),
        country: str(v.country),
        gender: v.gender === "female" ? "Female" : "Male",
        title: str(v.title),
        active: "true",
        locked_out: "false",
        web_service_access_only: "false",
        notification: "2",
        sys_class_name: "sys_user",
        sys_created_by: "admin",
        sys_updated_by: "admin",
        sys_mod_count: String(hash32(seed, i, 41) % 5),
        sys_domain: "global",
      };
    },
    truth(i, fields): TruthLinks {
      const p = pop.personOf("servicenow", i);
      const id = String(fields.sys_id);
      const key = { key: "_serviceNowSystemId", value: id };
      return {
        personId: pop.personId(p),
        companyId: pop.companyId(pop.person(p).companyIndex),
        profileKey: key,
        keys: [key],
      };
    },
    change(i, n, fields) {
      const p = pop.personOf("servicenow", i);
      const person = pop.person(p);
      const patch: Record<string, unknown> = { sys_mod_count: String(Number(fields.sys_mod_count ?? 0) + 1) };
      if (unit(seed, i, n, 42) < 0.5)
        patch.title = pick(["Manager", "Engineer", "Analyst", "Director"], seed, i, n);
      else
        patch.mobile_phone = `+1 ${person.mobilePhone.slice(0, 3)} 555 ${String(n % 10000).padStart(4, "0")}`;
      return patch;
    },
  };
}

/** The incident table: incidents spread over sys_user records; each also shows in `task`. */
export function incidentDef(pop: Population, callers: ChildMap): ObjectDef {
  const salt = tableSalt("incident");
  const userSalt = tableSalt("sys_user");
  const seed = pop.seed;
  const callerOf = (i: number, fields?: Readonly<Record<string, unknown>>) =>
    fields && typeof fields.caller_id === "string" && fields.caller_id !== ""
      ? fields.caller_id
      : servicenowSysId(userSalt, callers.parentOf(i));
  return {
    vendor: "servicenow",
    name: "incident",
    count: callers.count,
    idOf: (i) => servicenowSysId(salt, i),
    indexOf: (id) => indexIfOurs(id, salt),
    generate(i) {
      const caller = callerOf(i);
      const state = 1 + (hash32(seed, i, 51) % 7);
      const resolved = state >= 6;
      const subject = pick(SUBJECTS, seed, i, 52);
      return {
        sys_id: servicenowSysId(salt, i),
        number: `INC${String(10001 + i).padStart(7, "0")}`,
        short_description: subject,
        description: `${subject}. Reported by the caller through the self-service portal.`,
        category: pick(CATEGORIES, seed, i, 53),
        state: String(state),
        incident_state: String(state),
        priority: String(1 + (hash32(seed, i, 54) % 5)),
        impact: String(1 + (hash32(seed, i, 55) % 3)),
        urgency: String(1 + (hash32(seed, i, 56) % 3)),
        caller_id: caller,
        opened_by: caller,
        assigned_to: "",
        active: resolved ? "false" : "true",
        // The store owns the timestamps; resolution is stamped at the record's last update when rendered.
        resolved_at: resolved ? "@updated" : "",
        close_code: resolved ? "Solved (Permanently)" : "",
        sys_class_name: "incident",
        sys_created_by: "admin",
        sys_updated_by: "admin",
        sys_mod_count: String(hash32(seed, i, 57) % 9),
        sys_domain: "global",
      };
    },
    truth(i, fields): TruthLinks {
      const caller = callerOf(i, fields);
      const userIndex = servicenowIndex(caller) ?? callers.parentOf(i);
      const p = pop.personOf("servicenow", userIndex);
      const id = String(fields.sys_id ?? servicenowSysId(salt, i));
      const profileKey = { key: "_serviceNowSystemId", value: caller };
      return {
        personId: pop.personId(p),
        companyId: pop.companyId(pop.person(p).companyIndex),
        profileKey,
        keys: [
          { key: "_serviceNowIncidentId", value: id },
          { key: "_serviceNowTaskId", value: id },
          profileKey,
        ],
      };
    },
    change(i, n, fields) {
      const state = Math.min(7, Number(fields.state ?? 1) + 1);
      const resolved = state >= 6;
      return {
        state: String(state),
        incident_state: String(state),
        active: resolved ? "false" : "true",
        resolved_at: resolved ? (fields.resolved_at === "" ? "@updated" : fields.resolved_at) : "",
        priority: String(1 + (hash32(seed, i, n, 58) % 5)),
        sys_mod_count: String(Number(fields.sys_mod_count ?? 0) + 1),
      };
    },
  };
}

function indexIfOurs(id: string, salt: number): number | undefined {
  const i = servicenowIndex(id);
  return i !== undefined && servicenowSysId(salt, i) === id ? i : undefined;
}
