import Flashbar, { type FlashbarProps } from "@cloudscape-design/components/flashbar";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { apiMessage, isExpired } from "./aws.ts";
import { signOut } from "./session.ts";

export interface Notify {
  /** Shows a failed call with the API's own message; `what` says what was being done ("Create domain"). */
  error(what: string, error: unknown): void;
  success(message: string): void;
  clear(): void;
}

const NotifyContext = createContext<Notify | undefined>(undefined);
let nextId = 0;

/** Holds the flash messages shown at the top of every page (AppLayout's notifications slot). */
export function NotificationsProvider({
  children,
}: {
  children: (items: FlashbarProps.MessageDefinition[]) => ReactNode;
}) {
  const [items, setItems] = useState<FlashbarProps.MessageDefinition[]>([]);
  const push = useCallback((item: Omit<FlashbarProps.MessageDefinition, "id" | "onDismiss">) => {
    const id = `flash-${nextId++}`;
    const dismiss = () => setItems((all) => all.filter((i) => i.id !== id));
    setItems((all) => [
      ...all.filter((i) => i.content !== item.content || i.header !== item.header),
      { ...item, id, dismissible: true, dismissLabel: "Dismiss message", onDismiss: dismiss },
    ]);
  }, []);
  const notify = useMemo<Notify>(
    () => ({
      error: (what, error) => {
        if (isExpired(error)) signOut();
        push({ type: "error", header: `${what} failed`, content: apiMessage(error) });
      },
      success: (message) => push({ type: "success", content: message }),
      clear: () => setItems([]),
    }),
    [push],
  );
  return <NotifyContext.Provider value={notify}>{children(items)}</NotifyContext.Provider>;
}

export function useNotify(): Notify {
  const n = useContext(NotifyContext);
  if (!n) throw new Error("useNotify() outside NotificationsProvider");
  return n;
}

export function Notifications({ items }: { items: FlashbarProps.MessageDefinition[] }) {
  return <Flashbar items={items} stackItems={items.length > 3} />;
}
