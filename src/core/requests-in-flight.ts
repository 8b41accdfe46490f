/**
 * How many API requests this process is serving right now. The HTTP edge counts them; the flows engine
 * reads `busy` to commit its pages in smaller parts while someone waits for an answer (CommitPacer).
 */
export class RequestsInFlight {
  #count = 0;

  /** One request came in; returns what to call once when it is answered or its connection closes. */
  begin(): () => void {
    this.#count++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#count--;
    };
  }

  get count(): number {
    return this.#count;
  }

  get busy(): boolean {
    return this.#count > 0;
  }
}
