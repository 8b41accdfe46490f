import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The Prometheus registry of one app, with the HTTP edge's own metrics. */
export interface ApiMetrics {
  registry: Registry;
  requests: Counter<"service" | "operation" | "status">;
  duration: Histogram<"service" | "operation">;
}

/** Creates a fresh registry (one per app, so tests can run several apps in one process). */
export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "profileflow_" });
  const requests = new Counter({
    name: "profileflow_api_requests_total",
    help: "API requests by service, operation and HTTP status",
    labelNames: ["service", "operation", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "profileflow_api_request_duration_seconds",
    help: "API request latency by service and operation",
    labelNames: ["service", "operation"] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, requests, duration };
}
