import type { UseCollectionResult } from "@cloudscape-design/collection-hooks";
import TextFilter from "@cloudscape-design/components/text-filter";

/** A table's text filter over `noun` ("objects": "Find objects", "Filter objects"), with its match count. */
export function TableFilter({
  filterProps,
  noun,
  matches,
}: {
  filterProps: UseCollectionResult<unknown>["filterProps"];
  noun: string;
  /** useCollection's filteredItemsCount. */
  matches: number | undefined;
}) {
  return (
    <TextFilter
      {...filterProps}
      filteringPlaceholder={`Find ${noun}`}
      filteringAriaLabel={`Filter ${noun}`}
      filteringClearAriaLabel="Clear filter"
      countText={`${matches ?? 0} matches`}
    />
  );
}
