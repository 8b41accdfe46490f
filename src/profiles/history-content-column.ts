import { z } from "zod";
import { jsonColumn } from "../db/json-column.ts";

/** `profile_history.content`: which key matched, whether the profile was created, which fields changed. */
export const historyContentColumn = jsonColumn(
  "profile_history",
  "content",
  z.record(z.string(), z.unknown()),
);
