import type { z } from "zod";
import type { Json } from "../db/json-column.ts";
import { jsonColumn } from "../db/json-column.ts";
import type { DomainBoxes, SealedPlace } from "./domain-sealer.ts";

/**
 * A JSON column whose text is sealed under the domain's data key (`pfe2.`, bound to the domain and
 * the column, or `pfe3.` bound to the kind of document the column shares with others) in a domain
 * that has one, and stored as is in one that has none. Every read and write goes through the boxes
 * the operation fetched once (DomainSealer.boxesIn), so there is no way in or out of the column that
 * forgets them.
 */
export interface SealedJsonColumn<T, Place extends SealedPlace> {
  readonly place: Place;
  /** The stored value, opened and checked (STORED_DATA_INVALID when malformed). */
  open(boxes: DomainBoxes, text: Json<Place>): T;
  /** The value as the column stores it. */
  seal(boxes: DomainBoxes, value: T): Json<Place>;
}

/** The sealed codec of `table.column`, its JSON checked by `schema` (see jsonColumn). */
export function sealedJsonColumn<T, Table extends string, Column extends string>(
  table: Table,
  column: Column,
  schema: z.ZodType<T>,
): SealedJsonColumn<T, `${Table}.${Column}` & SealedPlace> {
  type Place = `${Table}.${Column}` & SealedPlace;
  const codec = jsonColumn(table, column, schema);
  const place = `${table}.${column}` as Place;
  return {
    place,
    open: (boxes, text) => codec.parse(boxes.at(place).open(text) as Json<`${Table}.${Column}`>),
    seal: (boxes, value) => boxes.at(place).seal(codec.stringify(value)) as Json<Place>,
  };
}
