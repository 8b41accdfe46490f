import { z } from "zod";
import { sealedJsonColumn } from "./sealed-json-column.ts";

/** `profile_history.content`: which key matched, whether the profile was created, which fields changed (sealed). */
export const historyContentColumn = sealedJsonColumn(
  "profile_history",
  "content",
  z.record(z.string(), z.unknown()),
);
