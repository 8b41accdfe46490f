/** The SOQL subset connectors and jsforce send, parsed into a small AST. */

/** A literal on the right of a comparison. */
export type Lit =
  | { type: "datetime"; ms: number }
  | { type: "date"; s: string }
  | { type: "string"; s: string }
  | { type: "number"; n: number }
  | { type: "bool"; b: boolean }
  | { type: "null" };

/** A WHERE condition. */
export type Cond =
  | { kind: "and" | "or"; items: Cond[] }
  | { kind: "not"; item: Cond }
  | { kind: "cmp"; field: string; op: "=" | "!=" | "<" | "<=" | ">" | ">="; value: Lit }
  | { kind: "in"; field: string; values: Lit[]; negate: boolean }
  | { kind: "like"; field: string; pattern: string };

/** A parsed query. */
export interface Soql {
  count: boolean;
  fields: string[];
  object: string;
  where: Cond | undefined;
  orderBy: Array<{ field: string; desc: boolean; nullsLast: boolean }>;
  limit: number | undefined;
  offset: number | undefined;
}

/** A SOQL syntax error; the simulator answers MALFORMED_QUERY with its message. */
export class SoqlError extends Error {}

const TOKEN =
  /\s*(?:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))|(\d{4}-\d{2}-\d{2})(?![\dT])|('(?:[^'\\]|\\.)*')|(-?\d+(?:\.\d+)?)(?![\w-])|(!=|<>|<=|>=|=|<|>|\(|\)|,)|([A-Za-z_][\w.]*))/y;

type Tok = { t: "dt" | "date" | "str" | "num" | "op" | "word"; v: string; at: number };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < q.length) {
    if (/^\s*$/.test(q.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(q);
    if (!m) throw new SoqlError(`unexpected token: '${q.slice(pos).trim().split(/\s/)[0]}'`);
    const at = m.index + (m[0].length - m[0].trimStart().length);
    if (m[1]) out.push({ t: "dt", v: m[1], at });
    else if (m[2]) out.push({ t: "date", v: m[2], at });
    else if (m[3]) out.push({ t: "str", v: m[3].slice(1, -1).replace(/\\(.)/g, "$1"), at });
    else if (m[4]) out.push({ t: "num", v: m[4], at });
    else if (m[5]) out.push({ t: "op", v: m[5] === "<>" ? "!=" : m[5], at });
    else out.push({ t: "word", v: m[6]!, at });
    pos = TOKEN.lastIndex;
  }
  return out;
}

/** Parses `q`; throws SoqlError on anything outside the supported subset. */
export function parseSoql(q: string): Soql {
  const toks = tokenize(q);
  let i = 0;
  const peek = () => toks[i];
  const kw = (w: string) => peek()?.t === "word" && peek()!.v.toUpperCase() === w;
  const next = (): Tok => {
    const t = toks[i++];
    if (!t) throw new SoqlError("unexpected token: <EOF>");
    return t;
  };
  const expectKw = (w: string) => {
    const t = next();
    if (t.t !== "word" || t.v.toUpperCase() !== w) throw new SoqlError(`unexpected token: '${t.v}'`);
  };
  const expectOp = (o: string) => {
    const t = next();
    if (t.t !== "op" || t.v !== o) throw new SoqlError(`unexpected token: '${t.v}'`);
  };
  const ident = () => {
    const t = next();
    if (t.t !== "word") throw new SoqlError(`unexpected token: '${t.v}'`);
    return t.v;
  };

  expectKw("SELECT");
  let count = false;
  const fields: string[] = [];
  if (kw("COUNT") && toks[i + 1]?.v === "(") {
    i += 2;
    if (peek()?.v !== ")") ident();
    expectOp(")");
    count = true;
  } else {
    do fields.push(ident());
    while (peek()?.v === "," && i++ >= 0);
  }
  expectKw("FROM");
  const object = ident();

  const literal = (): Lit => {
    const t = next();
    if (t.t === "dt") {
      const ms = Date.parse(t.v.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
      if (Number.isNaN(ms)) throw new SoqlError(`value of filter criterion is invalid: ${t.v}`);
      return { type: "datetime", ms };
    }
    if (t.t === "date") return { type: "date", s: t.v };
    if (t.t === "str") return { type: "string", s: t.v };
    if (t.t === "num") return { type: "number", n: Number(t.v) };
    if (t.t === "word") {
      const u = t.v.toUpperCase();
      if (u === "TRUE" || u === "FALSE") return { type: "bool", b: u === "TRUE" };
      if (u === "NULL") return { type: "null" };
    }
    throw new SoqlError(`unexpected token: '${t.v}'`);
  };

  const primary = (): Cond => {
    if (kw("NOT")) {
      i++;
      return { kind: "not", item: primary() };
    }
    if (peek()?.v === "(") {
      i++;
      const c = orExpr();
      expectOp(")");
      return c;
    }
    const field = ident();
    if (kw("IN") || (kw("NOT") && toks[i + 1]?.v.toUpperCase() === "IN")) {
      const negate = kw("NOT");
      i += negate ? 2 : 1;
      expectOp("(");
      const values: Lit[] = [];
      do values.push(literal());
      while (peek()?.v === "," && i++ >= 0);
      expectOp(")");
      return { kind: "in", field, values, negate };
    }
    if (kw("LIKE")) {
      i++;
      const t = next();
      if (t.t !== "str") throw new SoqlError(`unexpected token: '${t.v}'`);
      return { kind: "like", field, pattern: t.v };
    }
    const op = next();
    if (op.t !== "op" || !["=", "!=", "<", "<=", ">", ">="].includes(op.v))
      throw new SoqlError(`unexpected token: '${op.v}'`);
    return { kind: "cmp", field, op: op.v as "=", value: literal() };
  };
  const andExpr = (): Cond => {
    const items = [primary()];
    while (kw("AND")) {
      i++;
      items.push(primary());
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  };
  const orExpr = (): Cond => {
    const items = [andExpr()];
    while (kw("OR")) {
      i++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  };

  let where: Cond | undefined;
  if (kw("WHERE")) {
    i++;
    where = orExpr();
  }
  const orderBy: Soql["orderBy"] = [];
  if (kw("ORDER")) {
    i++;
    expectKw("BY");
    do {
      const field = ident();
      let desc = false;
      if (kw("ASC") || kw("DESC")) desc = next().v.toUpperCase() === "DESC";
      let nullsLast = desc;
      if (kw("NULLS")) {
        i++;
        nullsLast = next().v.toUpperCase() === "LAST";
      }
      orderBy.push({ field, desc, nullsLast });
    } while (peek()?.v === "," && i++ >= 0);
  }
  let limit: number | undefined;
  let offset: number | undefined;
  if (kw("LIMIT")) {
    i++;
    limit = Number(next().v);
  }
  if (kw("OFFSET")) {
    i++;
    offset = Number(next().v);
  }
  if (i < toks.length) throw new SoqlError(`unexpected token: '${toks[i]!.v}'`);
  if (
    (limit !== undefined && !Number.isInteger(limit)) ||
    (offset !== undefined && !Number.isInteger(offset))
  ) {
    throw new SoqlError("LIMIT and OFFSET must be integers");
  }
  return { count, fields, object, where, orderBy, limit, offset };
}
