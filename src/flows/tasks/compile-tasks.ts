import type { Task } from "../flow-definition.ts";
import { asText, comparerFor, toNumber } from "./task-values.ts";

type Row = Readonly<Record<string, unknown>>;

/** What the tasks made of one source record. */
export type TaskOutcome =
  | { readonly kind: "keep"; readonly data: Record<string, unknown> }
  /** A Filter excluded it (not a failure). */
  | { readonly kind: "filtered" }
  /** A Validate task with DropRecord rejected it. */
  | { readonly kind: "dropped"; readonly reason: string }
  /** A transformation could not be applied to it (a put failure). */
  | { readonly kind: "failed"; readonly reason: string }
  /** A Validate task with TerminateFlow rejected it: the execution fails. */
  | { readonly kind: "terminate"; readonly reason: string };

/** A flow's tasks compiled once into one pure function over source records. */
export type CompiledTasks = (source: Row) => TaskOutcome;

type Predicate = (r: Row) => boolean;
type Check = (r: Row) => TaskOutcome | undefined;
type Transform = (src: Row, out: Record<string, unknown>) => string | undefined;

/** The connector operator of a task, whichever connector key it is under. */
export function operatorOf(task: Task): string {
  const ops = task.connectorOperator ?? {};
  return (Object.values(ops).find((v) => typeof v === "string") ?? "NO_OP").toUpperCase();
}

/**
 * Compiles AppFlow tasks. Order as AppFlow applies them: value Filters drop records, Validate tasks drop
 * or terminate, then the output is built from Map_all (all projected fields) and each Map / Passthrough,
 * followed by Mask / Truncate / Merge / Arithmetic in task order, each writing `destinationField`.
 */
export function compileTasks(tasks: readonly Task[]): CompiledTasks {
  let projection: Set<string> | undefined;
  let mapAll = false;
  const filters: Predicate[] = [];
  const checks: Check[] = [];
  const transforms: Transform[] = [];
  for (const task of tasks) {
    const op = operatorOf(task);
    const props = task.taskProperties ?? {};
    const [first = ""] = task.sourceFields;
    const dest = task.destinationField ?? first;
    switch (task.taskType) {
      case "Filter":
        if (op === "PROJECTION") projection = new Set([...(projection ?? []), ...task.sourceFields]);
        else filters.push(compileFilter(first, op, props));
        break;
      case "Validate":
        checks.push(compileValidate(first, op, props["VALIDATION_ACTION"] ?? "DropRecord"));
        break;
      case "Map_all":
        mapAll = true;
        break;
      case "Map":
      case "Passthrough":
        transforms.push((src, out) => {
          if (first in src) out[dest] = src[first];
          return undefined;
        });
        break;
      case "Mask":
        transforms.push(compileMask(first, dest, op, props));
        break;
      case "Truncate": {
        const n = Number(props["TRUNCATE_LENGTH"] ?? "0");
        transforms.push((src, out) => {
          const v = dest in out ? out[dest] : src[first];
          if (v !== null && v !== undefined) out[dest] = asText(v).slice(0, n);
          return undefined;
        });
        break;
      }
      case "Merge":
        transforms.push(compileMerge(task.sourceFields, dest, props["CONCAT_FORMAT"]));
        break;
      case "Arithmetic":
        transforms.push(compileArithmetic(task.sourceFields, dest, op, props["MATH_OPERATION_FIELDS_ORDER"]));
        break;
      default:
        break; // Partition shapes files in AppFlow; it means nothing for a profiles destination.
    }
  }
  const copyAll = mapAll || transforms.length === 0;
  const keep = projection;
  return (source) => {
    for (const f of filters) if (!f(source)) return { kind: "filtered" };
    for (const c of checks) {
      const verdict = c(source);
      if (verdict) return verdict;
    }
    const out: Record<string, unknown> = {};
    if (copyAll) {
      // for…in, not Object.entries: no [key, value] array per field on the per-record hot path.
      for (const k in source) {
        if (Object.hasOwn(source, k) && (keep === undefined || keep.has(k))) out[k] = source[k];
      }
    }
    for (const t of transforms) {
      const problem = t(source, out);
      if (problem) return { kind: "failed", reason: problem };
    }
    return { kind: "keep", data: out };
  };
}

/** Value filters; BETWEEN, GREATER_THAN and LESS_THAN bounds are exclusive, as in AppFlow. */
function compileFilter(field: string, op: string, props: Record<string, string>): Predicate {
  const cmp = comparerFor(props["DATA_TYPE"]);
  const lo = cmp(props["LOWER_BOUND"]);
  const hi = cmp(props["UPPER_BOUND"]);
  const value = cmp(props["VALUE"]);
  const values = (props["VALUES"] ?? "").split(",").map((s) => cmp(s.trim()));
  const get = (r: Row) => cmp(r[field]);
  const defined =
    (f: (v: number | string) => boolean): Predicate =>
    (r) => {
      const v = get(r);
      return v !== undefined && f(v);
    };
  switch (op) {
    case "BETWEEN":
      return defined((v) => lo !== undefined && hi !== undefined && v > lo && v < hi);
    case "GREATER_THAN":
      return defined((v) => value !== undefined && v > value);
    case "LESS_THAN":
      return defined((v) => value !== undefined && v < value);
    case "GREATER_THAN_OR_EQUAL_TO":
      return defined((v) => value !== undefined && v >= value);
    case "LESS_THAN_OR_EQUAL_TO":
      return defined((v) => value !== undefined && v <= value);
    case "EQUAL_TO":
      return props["VALUES"] !== undefined ? defined((v) => values.includes(v)) : defined((v) => v === value);
    case "NOT_EQUAL_TO":
      return (r) => get(r) !== value;
    case "CONTAINS":
      return defined((v) => String(v).includes(String(value ?? "")));
    default:
      return () => true; // NO_OP and operators without a record-level meaning
  }
}

function compileValidate(field: string, op: string, action: string): Check {
  const test: (v: unknown) => boolean =
    op === "VALIDATE_NON_NULL"
      ? (v) => v !== null && v !== undefined && v !== ""
      : op === "VALIDATE_NON_ZERO"
        ? (v) => toNumber(v) !== 0
        : op === "VALIDATE_NON_NEGATIVE"
          ? (v) => (toNumber(v) ?? 0) >= 0
          : op === "VALIDATE_NUMERIC"
            ? (v) => toNumber(v) !== undefined
            : () => true;
  const terminate = action.toLowerCase().replace(/[_\s]/g, "") === "terminateflow";
  return (r) => {
    if (test(r[field])) return undefined;
    const reason = `field ${field} failed ${op}`;
    return terminate ? { kind: "terminate", reason } : { kind: "dropped", reason };
  };
}

function compileMask(src: string, dest: string, op: string, props: Record<string, string>): Transform {
  const ch = props["MASK_VALUE"] || "*";
  const n = Number(props["MASK_LENGTH"] ?? "0");
  return (row, out) => {
    const raw = dest in out ? out[dest] : row[src];
    if (raw === null || raw === undefined) return undefined;
    const s = asText(raw);
    const k = Math.min(n, s.length);
    out[dest] =
      op === "MASK_FIRST_N"
        ? ch.repeat(k) + s.slice(k)
        : op === "MASK_LAST_N"
          ? s.slice(0, s.length - k) + ch.repeat(k)
          : ch.repeat(s.length);
    return undefined;
  };
}

/** Concatenates source fields; CONCAT_FORMAT may name them as `{field}`, else they join with a space. */
function compileMerge(fields: readonly string[], dest: string, format: string | undefined): Transform {
  return (row, out) => {
    out[dest] = format
      ? format.replace(/\{([^}]+)\}/g, (_, f: string) => asText(row[f]))
      : fields
          .map((f) => asText(row[f]))
          .filter((s) => s !== "")
          .join(" ");
    return undefined;
  };
}

function compileArithmetic(fields: readonly string[], dest: string, op: string, order?: string): Transform {
  const ordered = order ? order.split(",").map((s) => s.trim()) : [...fields];
  const fold: Record<string, (a: number, b: number) => number> = {
    ADDITION: (a, b) => a + b,
    SUBTRACTION: (a, b) => a - b,
    MULTIPLICATION: (a, b) => a * b,
    DIVISION: (a, b) => a / b,
  };
  const f = fold[op];
  return (row, out) => {
    if (!f) return `arithmetic operator ${op} is not supported`;
    const nums = ordered.map((k) => toNumber(row[k]));
    const bad = nums.indexOf(undefined);
    if (bad >= 0) return `field ${ordered[bad]} is not a number for ${op}`;
    const result = (nums as number[]).reduce(f);
    if (!Number.isFinite(result)) return `${op} of ${ordered.join(", ")} is not finite`;
    out[dest] = result;
    return undefined;
  };
}
