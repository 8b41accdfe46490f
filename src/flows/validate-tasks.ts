import { ProfileflowError } from "../core/errors.ts";
import type { SourceConnectorType, Task } from "./flow-definition.ts";

const propertiesKey: Record<SourceConnectorType, "Salesforce" | "ServiceNow" | "Marketo" | "Zendesk"> = {
  Salesforce: "Salesforce",
  Servicenow: "ServiceNow",
  Marketo: "Marketo",
  Zendesk: "Zendesk",
};

const common = [
  "PROJECTION",
  "NO_OP",
  "ADDITION",
  "MULTIPLICATION",
  "DIVISION",
  "SUBTRACTION",
  "MASK_ALL",
  "MASK_FIRST_N",
  "MASK_LAST_N",
  "VALIDATE_NON_NULL",
  "VALIDATE_NON_ZERO",
  "VALIDATE_NON_NEGATIVE",
  "VALIDATE_NUMERIC",
  "GREATER_THAN",
];
const rangeOps = ["LESS_THAN", "BETWEEN"];
const compareOps = [
  "CONTAINS",
  "LESS_THAN_OR_EQUAL_TO",
  "GREATER_THAN_OR_EQUAL_TO",
  "EQUAL_TO",
  "NOT_EQUAL_TO",
];

/** Connector operators each source supports (aws-api.md §5.3). */
export const supportedOperators: Record<SourceConnectorType, ReadonlySet<string>> = {
  Salesforce: new Set([...common, ...rangeOps, ...compareOps]),
  Servicenow: new Set([...common, ...rangeOps, ...compareOps]),
  Marketo: new Set([...common, ...rangeOps]),
  Zendesk: new Set(common),
};

const invalid = (member: string, message: string) =>
  new ProfileflowError("VALIDATION_FAILED", `Task Validation Error: ${message}`, { member });

/** Checks a task list the way AppFlow does before a flow is saved; throws VALIDATION_FAILED. */
export function validateTasks(connectorType: SourceConnectorType, tasks: Task[]): void {
  const key = propertiesKey[connectorType];
  const hasProjection = tasks.some(
    (t) => t.taskType === "Filter" && t.connectorOperator?.[key] === "PROJECTION",
  );
  const hasMapAll = tasks.some((t) => t.taskType === "Map_all");
  if (!hasProjection && !hasMapAll)
    throw invalid("tasks", "You must specify a projection task or a MAP_ALL task");
  tasks.forEach((t, i) => {
    const member = `tasks.${i}`;
    const ops = Object.entries(t.connectorOperator ?? {});
    const foreign = ops.find(([k]) => k !== key);
    if (foreign) {
      throw invalid(
        `${member}.connectorOperator`,
        `Task ${i} uses a ${foreign[0]} operator on a ${connectorType} flow.`,
      );
    }
    const op = t.connectorOperator?.[key];
    if (op !== undefined && !supportedOperators[connectorType].has(op)) {
      throw invalid(
        `${member}.connectorOperator`,
        `Operator ${op} is not supported by the ${connectorType} connector.`,
      );
    }
    const p = t.taskProperties ?? {};
    if (t.taskType === "Filter" && (op === "BETWEEN" || op === "GREATER_THAN" || op === "LESS_THAN")) {
      if (op === "BETWEEN" && (p["LOWER_BOUND"] === undefined || p["UPPER_BOUND"] === undefined)) {
        throw invalid(`${member}.taskProperties`, "A BETWEEN filter needs LOWER_BOUND and UPPER_BOUND.");
      }
      if (op !== "BETWEEN" && p["VALUE"] === undefined) {
        throw invalid(`${member}.taskProperties`, `A ${op} filter needs VALUE.`);
      }
      if (t.sourceFields.length !== 1)
        throw invalid(`${member}.sourceFields`, "A range filter applies to exactly one field.");
    }
    if (
      (t.taskType === "Map" || t.taskType === "Merge" || t.taskType === "Arithmetic") &&
      !t.destinationField
    ) {
      throw invalid(`${member}.destinationField`, `A ${t.taskType} task needs a destinationField.`);
    }
    if (t.taskType === "Map" && t.sourceFields.length !== 1) {
      throw invalid(`${member}.sourceFields`, "A Map task maps exactly one source field.");
    }
    if (t.taskType === "Validate") {
      const action = p["VALIDATION_ACTION"];
      if (action !== "DropRecord" && action !== "TerminateFlow" && action !== "NoOp") {
        throw invalid(
          `${member}.taskProperties`,
          "A Validate task needs VALIDATION_ACTION DropRecord, TerminateFlow or NoOp.",
        );
      }
    }
    if (t.taskType === "Truncate" && !/^\d+$/.test(p["TRUNCATE_LENGTH"] ?? "")) {
      throw invalid(`${member}.taskProperties`, "A Truncate task needs a numeric TRUNCATE_LENGTH.");
    }
    if (
      t.taskType === "Mask" &&
      (op === "MASK_FIRST_N" || op === "MASK_LAST_N") &&
      !/^\d+$/.test(p["MASK_LENGTH"] ?? "")
    ) {
      throw invalid(`${member}.taskProperties`, `${op} needs a numeric MASK_LENGTH.`);
    }
  });
}
