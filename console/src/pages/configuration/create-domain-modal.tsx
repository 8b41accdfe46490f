import { CreateDomainCommand } from "@aws-sdk/client-customer-profiles";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { type FormEvent, useState } from "react";
import { apiMessage, useClients } from "../../aws.ts";
import { useNotify } from "../../notifications.tsx";

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Create domain: its name and how long profile data is kept; the API validates again and its message is shown. */
export function CreateDomainModal({
  visible,
  onDismiss,
  onCreated,
}: {
  visible: boolean;
  onDismiss: () => void;
  onCreated: (name: string) => void;
}) {
  const clients = useClients();
  const notify = useNotify();
  const [name, setName] = useState("");
  const [days, setDays] = useState("365");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const nameError = name !== "" && !NAME.test(name) ? "1–64 letters, digits, '_' or '-'." : undefined;
  const daysNumber = Number(days);
  const daysError =
    !Number.isInteger(daysNumber) || daysNumber < 1 || daysNumber > 1098
      ? "A whole number of days, 1 to 1098."
      : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (name === "" || nameError || daysError) return;
    setBusy(true);
    setError(undefined);
    try {
      await clients.profiles.send(
        new CreateDomainCommand({ DomainName: name, DefaultExpirationDays: daysNumber }),
      );
      notify.success(`Domain ${name} created.`);
      onCreated(name);
      setName("");
    } catch (err) {
      setError(apiMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal visible={visible} onDismiss={onDismiss} header="Create domain" closeAriaLabel="Close">
      <form onSubmit={submit}>
        <Form
          errorText={error}
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button formAction="none" variant="link" onClick={onDismiss}>
                Cancel
              </Button>
              <Button variant="primary" formAction="submit" loading={busy} disabled={name === ""}>
                Create domain
              </Button>
            </SpaceBetween>
          }
        >
          <SpaceBetween size="m">
            <FormField label="Domain name" errorText={nameError}>
              <Input value={name} onChange={(e) => setName(e.detail.value)} spellcheck={false} autoFocus />
            </FormField>
            <FormField
              label="Default expiration days"
              description="How long profile data is kept after its last update."
              errorText={daysError}
            >
              <Input
                type="number"
                inputMode="numeric"
                value={days}
                onChange={(e) => setDays(e.detail.value)}
              />
            </FormField>
            <Box variant="small" color="text-body-secondary">
              Integrations are added to a domain afterwards, with Add integration.
            </Box>
          </SpaceBetween>
        </Form>
      </form>
    </Modal>
  );
}
