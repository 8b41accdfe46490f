import { z } from "zod";
import { jsonColumn } from "../db/json-column.ts";
import type { ObjectTypeDefinition } from "../ingest/object-type.ts";
import { objectTypeDefinitionSchema } from "../ingest/object-type-schema.ts";

/** `object_types.definition`: the validated PutProfileObjectType request (template members unexpanded). */
export const objectTypeDefinitionColumn = jsonColumn(
  "object_types",
  "definition",
  z.custom<ObjectTypeDefinition>((v) => objectTypeDefinitionSchema.safeParse(v).success),
);
