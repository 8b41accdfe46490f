import { type ParsedTarget, parseTarget } from "./standard-fields.ts";

/** The objects one record is mapped into, created per record. */
export interface MapOutput {
  profile: Record<string, unknown>;
  case: Record<string, unknown> | undefined;
  asset: Record<string, unknown> | undefined;
}

/** Writes one value into its place in the output. */
export type TargetSetter = (out: MapOutput, value: string) => void;

const GENDERS: Record<string, string> = {
  male: "MALE",
  m: "MALE",
  female: "FEMALE",
  f: "FEMALE",
  unspecified: "UNSPECIFIED",
};
const PARTY_TYPES: Record<string, string> = {
  individual: "INDIVIDUAL",
  business: "BUSINESS",
  other: "OTHER",
};

/** Compiles a Target (already validated) into a setter; the root object is created on first use. */
export function compileTarget(target: string): TargetSetter {
  const t = parseTarget(target);
  if (typeof t === "string") throw new Error(`invalid target ${target}: ${t}`);
  return setterFor(t);
}

function setterFor(t: ParsedTarget): TargetSetter {
  const root = t.root;
  const obj = (out: MapOutput): Record<string, unknown> => {
    if (root === "profile") return out.profile;
    if (root === "case") {
      if (!out.case) out.case = {};
      return out.case;
    }
    if (!out.asset) out.asset = {};
    return out.asset;
  };
  if (t.kind === "attribute") {
    const name = t.name;
    return (out, v) => {
      child(obj(out), "Attributes")[name] = v;
    };
  }
  if (t.kind === "address") {
    const { field, part } = t;
    return (out, v) => {
      child(out.profile, field)[part] = v;
    };
  }
  const field = t.field;
  // Vendors send free text ("Male", "f"); the enum members get the enum, anything else the *String twin.
  if (root === "profile" && (field === "Gender" || field === "PartyType")) {
    const table = field === "Gender" ? GENDERS : PARTY_TYPES;
    const twin = `${field}String`;
    return (out, v) => {
      const e = table[v.toLowerCase()];
      if (e) out.profile[field] = e;
      else out.profile[twin] = v;
    };
  }
  return (out, v) => {
    obj(out)[field] = v;
  };
}

/** The nested object at `o[name]`, created on first use. */
function child(o: Record<string, unknown>, name: string): Record<string, string> {
  let c = o[name] as Record<string, string> | undefined;
  if (!c) {
    c = {};
    o[name] = c;
  }
  return c;
}
