import { useCallback, useEffect, useRef, useState } from "react";
import { useNotify } from "./notifications.tsx";

export interface ApiState<T> {
  data: T | undefined;
  loading: boolean;
  /** The API's message when the last load failed (also shown in the flashbar). */
  error: unknown;
  reload(): void;
}

/**
 * Loads something from the API when `deps` change (and on reload()); a failure goes to the flashbar
 * under `what` ("Load domains"). Answers of superseded loads are dropped.
 */
export function useApi<T>(what: string, load: () => Promise<T>, deps: unknown[]): ApiState<T> {
  const notify = useNotify();
  const [state, setState] = useState<{ data: T | undefined; loading: boolean; error: unknown }>({
    data: undefined,
    loading: true,
    error: undefined,
  });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => {
        if (mine === generation.current) setState({ data, loading: false, error: undefined });
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        setState({ data: undefined, loading: false, error });
        notify.error(what, error);
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
