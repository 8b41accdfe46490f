import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { type FormEvent, useState } from "react";
import { useNotify } from "../../notifications.tsx";
import { signIn } from "../../session.ts";

/**
 * Sign-in with an access key (the root's, or an IAM user's): the page asks STS GetSessionToken for
 * temporary credentials and keeps only those, in this tab's session storage.
 */
export function SignInPage() {
  const notify = useNotify();
  const [accessKeyId, setAccessKeyId] = useState("");
  const [secret, setSecret] = useState("");
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const missingKey = tried && accessKeyId.trim() === "" ? "Enter the access key ID." : undefined;
  const missingSecret = tried && secret === "" ? "Enter the secret access key." : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (accessKeyId.trim() === "" || secret === "") return;
    setBusy(true);
    notify.clear();
    try {
      await signIn(accessKeyId.trim(), secret);
      setSecret("");
    } catch (error) {
      notify.error("Sign in", error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box margin={{ top: "xxxl" }}>
      <div style={{ maxWidth: 480, margin: "0 auto" }}>
        <form onSubmit={submit}>
          <Form
            header={<Header variant="h1">Sign in to profileflow</Header>}
            actions={
              <Button variant="primary" formAction="submit" loading={busy}>
                Sign in
              </Button>
            }
          >
            <Container>
              <SpaceBetween size="l">
                <FormField
                  label="Access key ID"
                  errorText={missingKey}
                  description="The root key is in the data directory's credentials file; profileflow serve prints where."
                >
                  <Input
                    value={accessKeyId}
                    onChange={(e) => setAccessKeyId(e.detail.value)}
                    autoComplete="username"
                    spellcheck={false}
                    autoFocus
                  />
                </FormField>
                <FormField label="Secret access key" errorText={missingSecret}>
                  <Input
                    type="password"
                    value={secret}
                    onChange={(e) => setSecret(e.detail.value)}
                    autoComplete="current-password"
                  />
                </FormField>
                <Box variant="small" color="text-body-secondary">
                  The console keeps only temporary credentials from STS GetSessionToken, in this tab; signing
                  out or closing the tab forgets them.
                </Box>
              </SpaceBetween>
            </Container>
          </Form>
        </form>
      </div>
    </Box>
  );
}
