import { type Compilable, type CompiledQuery, createQueryId } from "kysely";
import { type DialectName, dialectOf } from "./dialect.ts";
import type { Queryable } from "./queryable.ts";

/**
 * A hot statement built and compiled by Kysely once per dialect, then run with each call's parameters.
 * Building and compiling a query was the largest share of a search's garbage (docs/benchmarks.md, "Point 2
 * again"). `build` gets one placeholder per parameter and must place each exactly once (its SQL must not
 * depend on the values); the first run on each dialect checks that and learns where each one went. The
 * SQL is compiled once per dialect (one instance may serve a SQLite and a PostgreSQL database, so a
 * module-level constant is safe), and `q` must carry no Kysely plugin that rewrites queries (none in src
 * does). Let `Row` be inferred from `build`: Kysely's compiled query does not carry its row type, so a
 * `Row` written out is not checked against the statement.
 */
export class CompiledOnce<Row> {
  readonly #compiled = new Map<DialectName, Compiled<Row>>();

  constructor(
    private readonly arity: number,
    private readonly build: (q: Queryable, params: readonly unknown[]) => Compilable<Row>,
  ) {}

  /** Runs the statement on `q` (the database or a transaction) with `params`, in `build`'s order. */
  async execute(q: Queryable, params: readonly unknown[]): Promise<Row[]> {
    if (params.length !== this.arity)
      throw new Error(`expected ${this.arity} parameters, got ${params.length}`);
    const dialect = dialectOf(q);
    const { query: compiled, order } = this.#compiled.get(dialect) ?? this.#compile(q, dialect);
    const query: CompiledQuery<Row> = {
      ...compiled,
      parameters: order.map((i) => params[i]),
      queryId: createQueryId(),
    };
    return (await q.executeQuery(query)).rows;
  }

  /** The first row, or undefined. */
  async first(q: Queryable, params: readonly unknown[]): Promise<Row | undefined> {
    return (await this.execute(q, params))[0];
  }

  #compile(q: Queryable, dialect: DialectName): Compiled<Row> {
    const placeholders = Array.from({ length: this.arity }, (_, i) => `\u0000compiled-once-parameter-${i}`);
    const compiled = this.build(q, placeholders).compile();
    const order = compiled.parameters.map((p) => placeholders.indexOf(p as string));
    const placed = new Set(order);
    if (order.includes(-1) || placed.size !== this.arity || order.length !== this.arity) {
      throw new Error(
        `a compiled-once statement must use each of its ${this.arity} parameters once: ${compiled.sql}`,
      );
    }
    const done = { query: compiled, order };
    this.#compiled.set(dialect, done);
    return done;
  }
}

/** A statement compiled for one dialect and, for each of its parameters, the index of the call's parameter it is. */
interface Compiled<Row> {
  query: CompiledQuery<Row>;
  order: number[];
}
