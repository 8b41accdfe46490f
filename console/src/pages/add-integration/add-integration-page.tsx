import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Wizard from "@cloudscape-design/components/wizard";
import { useEffect, useMemo, useState } from "react";
import { apiMessage, useClients } from "../../aws.ts";
import { useNotify } from "../../notifications.tsx";
import { follow, href, navigate } from "../../router.ts";
import { paths } from "../../routes.tsx";
import { useApi } from "../../use-api.ts";
import type { PageProps } from "../page-props.ts";
import { ConnectionStep, draftErrors } from "./connection-step.tsx";
import { type ConnectionDraft, type TestResult, testExisting } from "./connection-test.ts";
import { type Created, createIntegrations, domainKeyArn } from "./create-integration.ts";
import { IntegrationProgress } from "./integration-progress.tsx";
import { mappingErrors } from "./mapping.ts";
import { defaultChoice, loadOptions, OptionsStep } from "./options-step.tsx";
import { ReviewStep } from "./review-step.tsx";
import { SelectSourceStep } from "./select-source-step.tsx";
import { sourceById } from "./sources.ts";
import { daysBack, isBulk, StartDateStep, startDateErrors } from "./start-date-step.tsx";
import { initialState, startMs, type WizardState } from "./wizard-state.ts";
import { defaultRoleName } from "./workflow-role-policy.ts";

const emptyDraft: ConnectionDraft = { name: "", instanceUrl: "", credentials: {} };
const STEP_TITLES = [
  "Select source",
  "Establish connection",
  "Integration options",
  "Ingestion start date",
  "Review and integrate",
];

/** The active step (0-based) from `?step=N` (1-based, as the wizard numbers them); 0 when absent or wrong. */
export function stepOf(query: URLSearchParams): number {
  const n = Number(query.get("step") ?? "1");
  return Number.isInteger(n) && n >= 1 && n <= STEP_TITLES.length ? n - 1 : 0;
}

/**
 * Add integration (the seed's wizard): /console/domains/:domain/integrations/new?step=N. The active step
 * is in the URL (reload, back and forward work); the choices are kept in the page only, so a step whose
 * earlier steps lack their data (a reload, a link) goes back to the first such step and says why.
 */
export function AddIntegrationPage({ params, query }: PageProps) {
  const domain = params["domain"] ?? "";
  const clients = useClients();
  const notify = useNotify();
  const now = useMemo(() => Date.now(), []);
  const [s, setS] = useState<WizardState>(() => initialState(now));
  const requested = stepOf(query);
  const setStep = (i: number, replace = false) =>
    navigate(href(paths.addIntegration(domain), { step: i === 0 ? undefined : String(i + 1) }), { replace });
  const [lost, setLost] = useState<string | undefined>();
  const [showErrors, setShowErrors] = useState(false);
  const [draft, setDraft] = useState<ConnectionDraft>(emptyDraft);
  const [existing, setExisting] = useState<string | undefined>();
  const [test, setTest] = useState<TestResult>({ state: "idle" });
  /** The connection tested again when the review opens (as `profileflow integrate` does before creating). */
  const [reviewTest, setReviewTest] = useState<TestResult>({ state: "idle" });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created[] | undefined>();
  const patch = (p: Partial<WizardState>) => setS((x) => ({ ...x, ...p }));
  const source = sourceById(s.source);
  const connection = test.state === "connected" ? test.connection : undefined;

  const key = useApi("Get domain", () => domainKeyArn(clients, domain), [clients, domain]);
  const options = useApi(
    "Load integration options",
    async () => (source && connection ? loadOptions(clients, domain, source, connection) : undefined),
    [clients, domain, source?.id, connection],
  );
  // The objects default to every object that has a template, once the options are known.
  const [defaultedFor, setDefaultedFor] = useState<string | undefined>();
  if (options.data && connection && defaultedFor !== connection) {
    setDefaultedFor(connection);
    const data = options.data;
    patch({
      objects: data.objects
        .filter((o) => data.templates.some((t) => t.object === o.name))
        .map((o) => ({ object: o.name, choice: defaultChoice(data, o.name) })),
    });
  }

  const bulk = source ? isBulk(source, s.startDate, now) : false;
  const role = bulk ? (s.role ?? { kind: "create" as const, name: defaultRoleName(domain) }) : undefined;

  /** Whether step `i` is complete (the seed's gates: the checkbox, Connected, objects and types, a date). */
  const valid = (i: number): boolean => {
    if (!source) return false;
    if (i === 0) return s.readRequirements;
    if (i === 1) return test.state === "connected";
    if (i === 2)
      return (
        s.objects.length > 0 &&
        s.objects.every(
          (o) =>
            o.choice !== undefined &&
            (o.choice.kind !== "mapping" ||
              mappingErrors(o.choice.objectTypeName, o.choice.rows).length === 0),
        )
      );
    if (i === 3) return Object.keys(startDateErrors(source, s.startDate, role, now)).length === 0;
    return true;
  };

  // A step is shown only when the steps before it are complete; otherwise the first incomplete one.
  const gap = [0, 1, 2, 3].find((i) => i < requested && !valid(i));
  const step = gap ?? requested;
  // biome-ignore lint/correctness/useExhaustiveDependencies: setStep only builds a URL from domain
  useEffect(() => {
    if (gap === undefined) return;
    setLost(
      `Step ${requested + 1} (${STEP_TITLES[requested]}) needs what the earlier steps collect, and the wizard's choices are not kept across a reload or a link: continue from step ${gap + 1}, ${STEP_TITLES[gap]}.`,
    );
    setStep(gap, true);
  }, [gap, requested, domain]);

  const retest = (name: string) => {
    setReviewTest({ state: "testing" });
    testExisting(clients, name).then(
      () => setReviewTest({ state: "connected", connection: name }),
      (e: unknown) => setReviewTest({ state: "failed", message: apiMessage(e) }),
    );
  };

  // Review and integrate tests the connection again whenever it opens (Next, Back/Forward, a link).
  // biome-ignore lint/correctness/useExhaustiveDependencies: retest is re-created each render
  useEffect(() => {
    if (step === 4 && connection) retest(connection);
  }, [step, connection]);

  const create = async () => {
    if (!source || !connection || ![0, 1, 2, 3].every(valid)) return;
    if (reviewTest.state !== "connected") {
      notify.error("Create integration", new Error(`Connection ${connection} is not Connected.`));
      return;
    }
    setCreating(true);
    const made: Created[] = [];
    try {
      await createIntegrations(
        clients,
        {
          domain,
          source,
          connection,
          objects: s.objects,
          start: startMs(s.startDate),
          bulk,
          role,
          keyArn: key.data ?? (await domainKeyArn(clients, domain)),
        },
        (c) => made.push(c),
      );
      notify.success(
        bulk
          ? `Integration created: ${made.length} bulk workflow${made.length === 1 ? "" : "s"} ingest the history in 2-month batches, then integrate continuously.`
          : `Integration created: ${made.length} integration${made.length === 1 ? "" : "s"} from ${source.label}.`,
      );
    } catch (e) {
      notify.error("Create integration", e);
    } finally {
      setCreating(false);
      if (made.length > 0) setCreated(made);
    }
  };

  if (created) {
    return (
      <SpaceBetween size="l">
        <Header
          variant="h1"
          description={`${source?.label ?? ""} → domain ${domain}: live progress of what was created.`}
          actions={
            <Button href={href(paths.configuration(), { domain })} onFollow={follow}>
              Customer profiles configuration
            </Button>
          }
        >
          Integration progress
        </Header>
        <IntegrationProgress domain={domain} created={created} />
      </SpaceBetween>
    );
  }

  const go = (to: number) => {
    if (to > step) {
      for (let i = step; i < to; i++) {
        if (!valid(i)) {
          setStep(i);
          setShowErrors(true);
          return;
        }
      }
    }
    setShowErrors(false);
    setStep(to);
  };

  const stepError = (i: number): string | undefined => {
    if (!showErrors || valid(i)) return undefined;
    if (i === 0)
      return !source ? "Choose a source." : "Select “I’ve read the integration requirements” to go on.";
    if (i === 1)
      return test.state === "failed"
        ? "The connection test failed: correct the connection and test it again."
        : "Test the connection: it must say Connected to go on.";
    if (i === 2)
      return "Choose at least one source object and an object type for each (complete any mapping).";
    return "Correct the ingestion start date and the role.";
  };

  const wizard = (
    <Wizard
      i18nStrings={{
        stepNumberLabel: (n) => `Step ${n}`,
        collapsedStepsLabel: (n, total) => `Step ${n} of ${total}`,
        skipToButtonLabel: (st) => `Skip to ${st.title}`,
        navigationAriaLabel: "Steps",
        cancelButton: "Cancel",
        previousButton: "Previous",
        nextButton: "Next",
        submitButton: "Create integration",
        optional: "optional",
      }}
      activeStepIndex={step}
      onNavigate={(e) => go(e.detail.requestedStepIndex)}
      onCancel={() => navigate(href(paths.configuration(), { domain }))}
      onSubmit={() => void create()}
      isLoadingNextStep={creating || (step === 4 && reviewTest.state === "testing")}
      submitButtonText="Create integration"
      steps={[
        {
          title: STEP_TITLES[0]!,
          description: "Choose which external application you want to get customer profiles data from.",
          errorText: stepError(0),
          content: (
            <SelectSourceStep
              source={s.source}
              readRequirements={s.readRequirements}
              showErrors={showErrors}
              onSource={(id) => {
                if (id !== s.source) {
                  patch({ source: id, readRequirements: false, objects: [], role: undefined });
                  setTest({ state: "idle" });
                  setExisting(undefined);
                  setDraft(emptyDraft);
                }
              }}
              onRead={(read) => patch({ readRequirements: read })}
            />
          ),
        },
        {
          title: STEP_TITLES[1]!,
          description:
            "Use an existing connection, or create a new one with the information the application requires.",
          errorText: stepError(1),
          content: source ? (
            <ConnectionStep
              source={source}
              mode={s.connectionMode}
              onMode={(m) => patch({ connectionMode: m })}
              existing={existing}
              onExisting={setExisting}
              draft={draft}
              onDraft={setDraft}
              test={test}
              onTest={setTest}
              showErrors={
                showErrors && s.connectionMode === "new" && Object.keys(draftErrors(source, draft)).length > 0
              }
            />
          ) : (
            <Alert type="info">Select a source first.</Alert>
          ),
        },
        {
          title: STEP_TITLES[2]!,
          description: "Choose which source objects you want to ingest and select their object type.",
          errorText: stepError(2),
          content:
            source && connection ? (
              <OptionsStep
                domain={domain}
                source={source}
                connection={connection}
                data={options.data}
                loading={options.loading}
                objects={s.objects}
                showErrors={showErrors}
                onObjects={(update) => setS((x) => ({ ...x, objects: update(x.objects) }))}
              />
            ) : (
              <Alert type="info">Establish the connection first.</Alert>
            ),
        },
        {
          title: STEP_TITLES[3]!,
          description: "Customer Profiles starts ingesting records created after this date.",
          errorText: stepError(3),
          content: source ? (
            <StartDateStep
              domain={domain}
              keyArn={key.data ?? "{{YourKMSKeyConsumedByTheDomain}}"}
              source={source}
              startDate={s.startDate}
              role={role}
              showErrors={showErrors}
              now={now}
              onStartDate={(d) => patch({ startDate: d })}
              onRole={(r) => patch({ role: r })}
            />
          ) : null,
        },
        {
          title: STEP_TITLES[4]!,
          description: "Check that the Connection status says Connected, and then choose Create integration.",
          content:
            source && connection ? (
              <ReviewStep
                domain={domain}
                source={source}
                connection={connection}
                test={reviewTest}
                objects={s.objects}
                startDate={s.startDate}
                days={daysBack(s.startDate, now)}
                bulk={bulk}
                role={role}
                onEdit={(i) => go(i)}
              />
            ) : null,
        },
      ]}
    />
  );
  return lost ? (
    <SpaceBetween size="m">
      <Alert type="warning" header="Choices lost" dismissible onDismiss={() => setLost(undefined)}>
        {lost}
      </Alert>
      {wizard}
    </SpaceBetween>
  ) : (
    wizard
  );
}
