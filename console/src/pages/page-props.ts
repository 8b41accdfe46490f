/** What every routed page receives: the route's decoded parameters and the query string. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}
