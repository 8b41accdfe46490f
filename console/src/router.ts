import { useSyncExternalStore } from "react";

/** Every page lives under /console/ (history routing; the server answers deep links with index.html). */
export const BASE = "/console";

/** A console path ("/configuration") as the URL the browser shows ("/console/configuration"). */
export function href(path: string, query?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return `${BASE}${path}${s ? `?${s}` : ""}`;
}

const listeners = new Set<() => void>();
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}
const snapshot = () => window.location.pathname + window.location.search;

/** Goes to a URL built by href() (or any /console/… URL) without reloading the page. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  for (const l of listeners) l();
}

export interface Location {
  /** The path inside the console: "/configuration", "/domains/d1/profiles" ("/" for /console/). */
  path: string;
  query: URLSearchParams;
}

/** The current location; re-renders on navigate() and on the browser's back and forward. */
export function useLocation(): Location {
  const url = useSyncExternalStore(subscribe, snapshot);
  const [pathname = "", search = ""] = url.split("?");
  const inside = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  return { path: inside === "" ? "/" : inside, query: new URLSearchParams(search) };
}

/** Matches "/domains/:domain/profiles" against a path; the decoded parameters, or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = got[i]!;
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return undefined;
  }
  return params;
}

/** For Cloudscape's onFollow (Link, SideNavigation, BreadcrumbGroup, Button with href): route in-app. */
export function follow(event: CustomEvent<{ href?: string; external?: boolean }>): void {
  const to = event.detail.href;
  if (!to || event.detail.external || !to.startsWith(BASE)) return;
  event.preventDefault();
  navigate(to);
}
