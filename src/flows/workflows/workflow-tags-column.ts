import { z } from "zod";
import { jsonColumn } from "../../db/json-column.ts";

/** `workflows.tags`: the request's Tags, given to the continuous integration at hand-off. */
export const workflowTagsColumn = jsonColumn("workflows", "tags", z.record(z.string(), z.string()));
