import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { apiMessage, useClients } from "../../aws.ts";
import { follow, href } from "../../router.ts";
import { paths } from "../../routes.tsx";
import { useSession } from "../../session.ts";
import { useApi } from "../../use-api.ts";
import type { PageProps } from "../page-props.ts";
import { loadHistory, loadMatches, loadProfile } from "./profile-data.ts";
import {
  FieldsSection,
  HistorySection,
  MatchesSection,
  MergesSection,
  ObjectsSection,
} from "./profile-sections.tsx";

/** One unified profile: /console/domains/:domain/profiles/:profileId. */
export function ProfilePage({ params }: PageProps) {
  const domain = params["domain"] ?? "";
  const profileId = params["profileId"] ?? "";
  const clients = useClients();
  const session = useSession();
  const data = useApi("Load profile", () => {
    if (!session) throw new Error("Not signed in");
    return loadProfile(clients, session, domain, profileId);
  }, [clients, session, domain, profileId]);
  const history = useApi("Load profile history", () => loadHistory(clients, domain, profileId), [
    clients,
    domain,
    profileId,
  ]);
  const matches = useApi("Load matches", () => loadMatches(clients, domain, profileId), [
    clients,
    domain,
    profileId,
  ]);
  const p = data.data?.profile;
  const name = p
    ? [p.FirstName, p.LastName].filter(Boolean).join(" ") || p.BusinessName || profileId
    : profileId;
  const reload = () => {
    data.reload();
    history.reload();
    matches.reload();
  };
  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        description={`Unified profile ${profileId} of domain ${domain}.`}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button iconName="refresh" ariaLabel="Refresh profile" onClick={reload} />
            <Button href={href(paths.profiles(domain))} onFollow={follow}>
              Search profiles
            </Button>
          </SpaceBetween>
        }
      >
        {name}
      </Header>
      {data.error && !data.data ? (
        // The profile could not be read (merged away, deleted, never existed): say so, and show no
        // empty sections that would read as "a profile with nothing in it".
        <Alert
          type="error"
          header={`Profile ${profileId} could not be loaded`}
          action={<Button onClick={reload}>Retry</Button>}
        >
          {apiMessage(data.error)}
        </Alert>
      ) : (
        <>
          <FieldsSection fields={data.data?.fields ?? []} loading={data.loading} />
          <ObjectsSection objects={data.data?.objects ?? []} loading={data.loading} />
          <HistorySection records={history.data ?? []} loading={history.loading} />
          <MatchesSection domain={domain} matches={matches.data} loading={matches.loading} />
          <MergesSection explanation={data.data?.explanation} loading={data.loading} />
        </>
      )}
    </SpaceBetween>
  );
}
