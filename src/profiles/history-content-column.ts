import { z } from "zod";
import { ProfileflowError } from "../core/errors.ts";
import type { Json } from "../db/json-column.ts";
import { jsonColumn } from "../db/json-column.ts";
import type { SealedJsonColumn } from "./sealed-json-column.ts";

type Content = Record<string, unknown>;
const PLACE = "profile_history.content";
const codec = jsonColumn("profile_history", "content", z.record(z.string(), z.unknown()));

/** Members that say what happened without naming any value: flags, and the names of changed fields. */
const FLAGS = new Set(["ProfileCreated", "ReplacedObject", "DeletedObject", "DeletedAtSource"]);

/**
 * True when the content names no value of the profile: only flags (true/false) and ChangedFields (field
 * names). A created profile's ingestion says just that (`{"ProfileCreated":true,"ChangedFields":[…]}`).
 */
function namesOnly(content: Content): boolean {
  for (const k in content) {
    const v = content[k];
    if (FLAGS.has(k)) {
      if (typeof v !== "boolean") return false;
    } else if (k === "ChangedFields") {
      if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) return false;
    } else return false;
  }
  return true;
}

/**
 * `profile_history.content`: which key matched, whether the profile was created, which fields changed.
 * In a domain with a data key it is sealed, except content that names no value (namesOnly: what most
 * ingestions write), which is stored as its JSON — sealing it would hide nothing and costs a seal per
 * created profile. Read back, clear content in such a domain must name no value, so nothing sealed
 * elsewhere can be planted here in clear.
 */
export const historyContentColumn: SealedJsonColumn<Content, typeof PLACE> = {
  place: PLACE,
  open(boxes, text) {
    if (!text.startsWith("{")) return codec.parse(boxes.at(PLACE).open(text) as Json<typeof PLACE>);
    const content = codec.parse(text as string as Json<typeof PLACE>);
    if (boxes.blind && !namesOnly(content)) {
      throw new ProfileflowError(
        "STORED_DATA_INVALID",
        `${PLACE} holds a value in clear in a domain whose data is sealed: refused`,
        { table: "profile_history", column: "content" },
      );
    }
    return content;
  },
  seal(boxes, value) {
    const text = codec.stringify(value);
    if (boxes.blind && namesOnly(value)) return text as string as Json<typeof PLACE>;
    return boxes.at(PLACE).seal(text) as Json<typeof PLACE>;
  },
};
