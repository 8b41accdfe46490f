import { useEffect, useRef, useState } from "react";
import { useNotify } from "../../notifications.tsx";

/**
 * Loads now and again every `everyMs` until `done(data)` says the result is final; stops on a failure
 * (shown in the flashbar under `what`) until restart(). Stops when the component goes away.
 */
export function usePolling<T>(
  what: string,
  load: () => Promise<T>,
  done: (data: T) => boolean,
  everyMs = 2000,
) {
  const notify = useNotify();
  const [data, setData] = useState<T | undefined>();
  const [failed, setFailed] = useState(false);
  const [run, setRun] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const doneRef = useRef(done);
  doneRef.current = done;
  // biome-ignore lint/correctness/useExhaustiveDependencies: run restarts the loop
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const d = await loadRef.current();
        if (stopped) return;
        setData(d);
        setFailed(false);
        if (!doneRef.current(d)) timer = setTimeout(tick, everyMs);
      } catch (e) {
        if (stopped) return;
        setFailed(true);
        notify.error(what, e);
      }
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [run, everyMs, what]);
  return { data, failed, restart: () => setRun((r) => r + 1) };
}
