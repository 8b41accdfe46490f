import type { ExecutionRecord } from "@aws-sdk/client-appflow";
import { useCollection } from "@cloudscape-design/collection-hooks";
import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import { RUN_STATUS } from "../../components/flow-status.ts";
import { TableFilter } from "../../components/table-filter.tsx";
import { EmptyState, formatDate, NoMatchState, paginationLabels } from "../../components/table-states.tsx";
import { failureAdvice } from "./failure-advice.ts";

/** One execution as the table shows it (flat, so the filter and sorting see every column). */
interface ExecutionRow {
  id: string;
  status: string;
  startedAt: Date | undefined;
  window: string;
  records: number;
  failures: number;
  message: string;
  advice: string | undefined;
}

function rowOf(e: ExecutionRecord, connection: string | undefined): ExecutionRow {
  const from = e.dataPullStartTime;
  const to = e.dataPullEndTime;
  const message = e.executionResult?.errorInfo?.executionMessage ?? "";
  return {
    id: e.executionId ?? "",
    status: e.executionStatus ?? "-",
    startedAt: e.startedAt,
    window:
      from || to
        ? `${from && from.getTime() > 0 ? formatDate(from) : "the beginning"} → ${to ? formatDate(to) : "…"}`
        : "-",
    records: e.executionResult?.recordsProcessed ?? 0,
    failures: e.executionResult?.errorInfo?.putFailuresCount ?? 0,
    message,
    advice: e.executionStatus === "Error" ? failureAdvice(message, connection) : undefined,
  };
}

/** The flow's executions: window, records processed, failures, the reason of a failure and what to do. */
export function ExecutionsTable({
  executions,
  connection,
  loading,
}: {
  executions: ExecutionRecord[];
  connection: string | undefined;
  loading: boolean;
}) {
  const rows = executions.map((e) => rowOf(e, connection));
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount, actions } = useCollection(
    rows,
    {
      filtering: {
        empty: <EmptyState title="No executions" subtitle="The flow has not run yet: Run now starts it." />,
        noMatch: <NoMatchState onClear={() => actions.setFiltering("")} />,
        fields: ["id", "status", "window", "message", "advice"],
      },
      pagination: { pageSize: 10 },
      sorting: {},
    },
  );
  return (
    <Table<ExecutionRow>
      {...collectionProps}
      items={items}
      loading={loading}
      loadingText="Loading executions"
      trackBy="id"
      header={
        <Header variant="h2" counter={`(${rows.length})`} description="Newest first.">
          Executions
        </Header>
      }
      columnDefinitions={[
        {
          id: "started",
          header: "Started",
          isRowHeader: true,
          sortingField: "startedAt",
          cell: (r) => formatDate(r.startedAt),
        },
        {
          id: "status",
          header: "Status",
          sortingField: "status",
          minWidth: 130,
          cell: (r) => <StatusIndicator type={RUN_STATUS[r.status] ?? "info"}>{r.status}</StatusIndicator>,
        },
        { id: "window", header: "Window", cell: (r) => r.window },
        {
          id: "records",
          header: "Records processed",
          sortingField: "records",
          cell: (r) => r.records.toLocaleString("en-US"),
        },
        {
          id: "failures",
          header: "Failures",
          sortingField: "failures",
          cell: (r) => r.failures.toLocaleString("en-US"),
        },
        {
          id: "message",
          header: "Message",
          minWidth: 240,
          cell: (r) =>
            r.message ? (
              <div>
                <div>{r.message}</div>
                {r.advice ? (
                  <Box variant="small">
                    <strong>What to do next: </strong>
                    {r.advice}
                  </Box>
                ) : null}
              </div>
            ) : (
              "-"
            ),
        },
        { id: "id", header: "Execution ID", cell: (r) => r.id },
      ]}
      filter={<TableFilter filterProps={filterProps} noun="executions" matches={filteredItemsCount} />}
      pagination={<Pagination {...paginationProps} ariaLabels={paginationLabels} />}
      wrapLines
    />
  );
}
