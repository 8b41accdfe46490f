import AppLayout, { type AppLayoutToolbarProps } from "@cloudscape-design/components/app-layout-toolbar";
import BreadcrumbGroup from "@cloudscape-design/components/breadcrumb-group";
import TopNavigation from "@cloudscape-design/components/top-navigation";
import { useEffect } from "react";
import { Navigation } from "./navigation.tsx";
import { Notifications, NotificationsProvider } from "./notifications.tsx";
import { SignInPage } from "./pages/sign-in/sign-in-page.tsx";
import { follow, href, matchPath, navigate, useLocation } from "./router.ts";
import { breadcrumbs, paths, type RouteDef, routes } from "./routes.tsx";
import { signOut, useSession } from "./session.ts";

const layoutLabels: AppLayoutToolbarProps.Labels = {
  navigation: "Side navigation",
  navigationToggle: "Open side navigation",
  navigationClose: "Close side navigation",
  notifications: "Notifications",
};

function resolve(path: string): { route: RouteDef; params: Record<string, string> } {
  for (const route of routes) {
    const params = matchPath(route.pattern, path);
    if (params) return { route, params };
  }
  return { route: routes[0]!, params: {} };
}

/** The console: the sign-in page when signed out, else the app layout around the routed page. */
export function App() {
  const session = useSession();
  const location = useLocation();
  const signingIn = location.path === paths.signIn();
  useEffect(() => {
    if (!session && !signingIn) {
      const next =
        location.path === "/"
          ? undefined
          : `${location.path}${location.query.size ? `?${location.query}` : ""}`;
      navigate(href(paths.signIn(), { next }), { replace: true });
    } else if (session && signingIn) {
      navigate(
        location.query.get("next")?.startsWith("/")
          ? href(location.query.get("next")!)
          : href(paths.configuration()),
        { replace: true },
      );
    } else if (session && location.path === "/") {
      navigate(href(paths.configuration()), { replace: true });
    }
  }, [session, signingIn, location.path, location.query]);
  const { route, params } = resolve(location.path);
  useEffect(() => {
    document.title = signingIn ? "Sign in · profileflow" : `${route.title} · profileflow`;
  }, [route.title, signingIn]);

  return (
    <NotificationsProvider>
      {(flashes) => (
        <>
          <div id="top-nav">
            <TopNavigation
              identity={{ title: "profileflow", href: href(paths.configuration()), onFollow: follow }}
              utilities={session ? [{ type: "button", text: "Sign out", onClick: () => signOut() }] : []}
            />
          </div>
          {!session || signingIn ? (
            <AppLayout
              headerSelector="#top-nav"
              ariaLabels={layoutLabels}
              navigationHide
              toolsHide
              notifications={<Notifications items={flashes} />}
              content={<SignInPage />}
            />
          ) : (
            <AppLayout
              headerSelector="#top-nav"
              ariaLabels={layoutLabels}
              toolsHide
              navigation={
                <Navigation
                  domain={params["domain"] ?? location.query.get("domain") ?? undefined}
                  activeHref={href(location.path)}
                />
              }
              breadcrumbs={
                <BreadcrumbGroup
                  items={breadcrumbs(route, params)}
                  ariaLabel="Breadcrumbs"
                  onFollow={follow}
                />
              }
              notifications={<Notifications items={flashes} />}
              content={<route.page params={params} query={location.query} />}
            />
          )}
        </>
      )}
    </NotificationsProvider>
  );
}
