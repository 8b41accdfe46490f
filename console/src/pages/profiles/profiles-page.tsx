import Autosuggest from "@cloudscape-design/components/autosuggest";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { type FormEvent, useEffect, useState } from "react";
import { useClients } from "../../aws.ts";
import { EmptyState } from "../../components/table-states.tsx";
import { href, navigate } from "../../router.ts";
import { paths } from "../../routes.tsx";
import { useSession } from "../../session.ts";
import { useApi } from "../../use-api.ts";
import type { PageProps } from "../page-props.ts";
import { COMMON_KEYS, domainKeys, recentProfiles, searchProfiles } from "./profile-rows.ts";
import { ProfilesTable } from "./profiles-table.tsx";

/**
 * Profiles search: /console/domains/:domain/profiles?key=_email&value=ada@example.com (a deep link runs
 * the search). Without a search, the profiles whose objects arrived last.
 */
export function ProfilesPage({ params, query }: PageProps) {
  const domain = params["domain"] ?? "";
  const key = query.get("key") ?? "";
  const value = query.get("value") ?? "";
  const searching = key !== "" && value !== "";
  const clients = useClients();
  const session = useSession();
  const [keyInput, setKeyInput] = useState(key || "_email");
  const [valueInput, setValueInput] = useState(value);
  useEffect(() => {
    setKeyInput(key || "_email");
    setValueInput(value);
  }, [key, value]);
  const keys = useApi("List the domain's keys", () => domainKeys(clients, domain), [clients, domain]);
  const results = useApi(searching ? "Search profiles" : "List recent profiles", async () => {
    if (searching) return searchProfiles(clients, domain, key, value);
    if (!session) throw new Error("Not signed in");
    return { rows: await recentProfiles(clients, session, domain), more: false };
  }, [clients, session, domain, key, value]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(href(paths.profiles(domain), { key: keyInput.trim(), value: valueInput.trim() }));
  };
  const keyOptions = (keys.data ?? COMMON_KEYS).map((k) => ({ value: k }));
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description={`Find the unified profiles of domain ${domain} by any of its keys.`}>
        Profiles
      </Header>
      <Container header={<Header variant="h2">Search by key</Header>}>
        <form onSubmit={submit} aria-label="Search profiles">
          <Form
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                {searching ? (
                  <Button formAction="none" onClick={() => navigate(href(paths.profiles(domain)))}>
                    Clear search
                  </Button>
                ) : null}
                <Button
                  variant="primary"
                  formAction="submit"
                  disabled={!keyInput.trim() || !valueInput.trim()}
                >
                  Search
                </Button>
              </SpaceBetween>
            }
          >
            <ColumnLayout columns={2}>
              <FormField
                label="Key"
                description="A key of the domain: _email, _phone, _fullName, or one an object type defines."
              >
                <Autosuggest
                  value={keyInput}
                  onChange={(e) => setKeyInput(e.detail.value)}
                  options={keyOptions}
                  enteredTextLabel={(v) => `Use: "${v}"`}
                  ariaLabel="Key"
                  clearAriaLabel="Clear key"
                  placeholder="_email"
                  empty="No keys"
                  loadingText="Loading keys"
                  statusType={keys.loading ? "loading" : "finished"}
                />
              </FormField>
              <FormField label="Value" description="Matched as the key's content type normalizes it.">
                <Input
                  value={valueInput}
                  onChange={(e) => setValueInput(e.detail.value)}
                  ariaLabel="Value"
                  clearAriaLabel="Clear value"
                  placeholder="ada@example.com"
                  type="search"
                  spellcheck={false}
                />
              </FormField>
            </ColumnLayout>
          </Form>
        </form>
      </Container>
      <ProfilesTable
        domain={domain}
        title={searching ? "Search results" : "Recently updated profiles"}
        description={
          searching
            ? `Profiles with ${key} = ${value}${results.data?.more ? " (the first 500)" : ""}.`
            : "The profiles whose objects arrived last."
        }
        rows={results.data?.rows ?? []}
        loading={results.loading}
        showFoundBy={searching && (results.data?.rows ?? []).some((r) => r.foundBy !== "-")}
        empty={
          searching ? (
            <EmptyState
              title="No profiles found"
              subtitle={`No profile of domain ${domain} has ${key} = ${value}.`}
            />
          ) : (
            <EmptyState title="No profiles yet" subtitle="Add an integration to bring people in." />
          )
        }
      />
    </SpaceBetween>
  );
}
