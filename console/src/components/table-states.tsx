import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import type { PaginationProps } from "@cloudscape-design/components/pagination";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { ReactNode } from "react";

/** A table's empty state: a title, a line of help, and an optional action. */
export function EmptyState({
  title,
  subtitle,
  action,
}: {
  title: string;
  subtitle?: string;
  action?: ReactNode;
}) {
  return (
    <Box textAlign="center" color="inherit">
      <SpaceBetween size="xxs">
        <Box variant="strong" color="inherit">
          {title}
        </Box>
        {subtitle ? (
          <Box variant="p" color="inherit">
            {subtitle}
          </Box>
        ) : null}
        {action}
      </SpaceBetween>
    </Box>
  );
}

/** The state collection-hooks shows when the filter hides every row. */
export function NoMatchState({ onClear }: { onClear: () => void }) {
  return (
    <EmptyState
      title="No matches"
      subtitle="Nothing matches the filter."
      action={<Button onClick={onClear}>Clear filter</Button>}
    />
  );
}

/** "2026-12-03 10:51:15" (UTC) for a Date, an ISO string or epoch ms; "-" when there is none. */
export function formatDate(d: Date | string | number | undefined): string {
  if (d === undefined || d === "") return "-";
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? String(d) : date.toISOString().replace("T", " ").slice(0, 19);
}

/** Labels for Pagination's arrow buttons and pages (screen readers; axe requires them). */
export const paginationLabels: PaginationProps.Labels = {
  nextPageLabel: "Next page",
  previousPageLabel: "Previous page",
  pageLabel: (n) => `Page ${n}`,
};
